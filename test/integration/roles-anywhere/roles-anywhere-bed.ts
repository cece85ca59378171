/**
 * The Roles Anywhere test bed: an openssl-made PKI (root → issuing intermediate, a foreign root) with every
 * kind of end-entity certificate the tests present, a gateway configuration with trust anchors, profiles and
 * two roles whose trust policies select by certificate tag, and a raw CreateSession caller.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signCreateSession, type SignedCreateSession } from '../../../src/roles-anywhere/index.js';
import {
  createIntermediateCa,
  createRootCa,
  issueEndEntity,
  revoke,
  writeCrl,
  type IssuedCertificate,
  type TestCa,
} from '../../support/x509-pki.js';

export const ACCOUNT = '000000000000';
export const anchorArn = (id: string): string => `arn:fedgate:rolesanywhere::${ACCOUNT}:trust-anchor/${id}`;
export const profileArn = (id: string): string => `arn:fedgate:rolesanywhere::${ACCOUNT}:profile/${id}`;
export const roleArn = (name: string): string => `arn:fedgate:iam::${ACCOUNT}:role/${name}`;
export const SPIFFE_ID = 'spiffe://example.internal/ns/prod/sa/deployer';

/** Every certificate the tests use. */
export interface RolesAnywherePki {
  readonly dir: string;
  readonly root: TestCa;
  readonly issuing: TestCa;
  readonly foreignRoot: TestCa;
  /** RSA 2048, CN app-rsa.example.internal, OU payments, DNS SAN. */
  readonly rsaApp: IssuedCertificate;
  /** EC P-256, CN deployer, URI SAN = SPIFFE_ID. */
  readonly ecSpiffe: IssuedCertificate;
  /** EC P-384, CN app-rsa.example.internal (trusted by Payments). */
  readonly ecP384: IssuedCertificate;
  readonly expired: IssuedCertificate;
  readonly notYetValid: IssuedCertificate;
  /** Listed in the issuing CA's CRL from the start. */
  readonly revoked: IssuedCertificate;
  readonly foreign: IssuedCertificate;
  readonly rsa1024: IssuedCertificate;
  /** keyUsage keyEncipherment only. */
  readonly noDigitalSignature: IssuedCertificate;
  /** A CA under the issuing CA, whose pathlen:0 forbids it. */
  readonly subIssuing: TestCa;
  /** Issued by subIssuing: its path is one CA too long. */
  readonly beyondPathLength: IssuedCertificate;
  /** An end-entity certificate (CA:FALSE) under the root, made to issue anyway. */
  readonly notACa: TestCa;
  /** Issued by notACa. */
  readonly issuedByNonCa: IssuedCertificate;
  /** Carries a critical extension fedgate does not know. */
  readonly unknownCriticalExtension: IssuedCertificate;
  /** CN `app (prod)`: parentheses are outside the session-tag character set. */
  readonly untaggable: IssuedCertificate;
  /** An intermediate CA under the root whose validity ended yesterday. */
  readonly expiredIssuing: TestCa;
  /** A current certificate issued by expiredIssuing. */
  readonly underExpiredIssuer: IssuedCertificate;
  /** The issuing CA's CRL (PEM). */
  readonly crlPath: string;
}

const APP_SUBJECT = '/O=Example/OU=payments/CN=app-rsa.example.internal';

/** Builds the PKI with openssl in a temporary folder (a few seconds: RSA key generation). */
export function buildPki(): RolesAnywherePki {
  const dir = mkdtempSync(join(tmpdir(), 'fedgate-pki-'));
  const root = createRootCa(dir, 'root', '/O=Example/CN=Example Root CA');
  const issuing = createIntermediateCa(dir, root, 'issuing', '/O=Example/CN=Example Issuing CA');
  const foreignRoot = createRootCa(dir, 'foreign', '/O=Elsewhere/CN=Elsewhere Root CA');
  const hour = 3_600_000;
  const now = Date.now();
  const revoked = issueEndEntity(issuing, { name: 'revoked', subject: APP_SUBJECT });
  revoke(issuing, revoked);
  const crlPath = join(dir, 'issuing.crl.pem');
  writeCrl(issuing, crlPath);
  const subIssuing = createIntermediateCa(
    dir,
    issuing,
    'sub-issuing',
    '/O=Example/CN=Example Sub-issuing CA',
  );
  const expiredIssuing = createIntermediateCa(
    dir,
    root,
    'expired-issuing',
    '/O=Example/CN=Example Old Issuing CA',
    {
      notBefore: now - 48 * hour,
      notAfter: now - 24 * hour,
    },
  );
  const notACa = createIntermediateCa(dir, root, 'not-a-ca', '/O=Example/CN=not-a-ca.example.internal', {
    isCa: false,
  });
  return {
    dir,
    root,
    issuing,
    foreignRoot,
    rsaApp: issueEndEntity(issuing, {
      name: 'rsa-app',
      subject: APP_SUBJECT,
      san: 'DNS:app-rsa.example.internal',
    }),
    ecSpiffe: issueEndEntity(issuing, {
      name: 'ec-spiffe',
      subject: '/O=Example/OU=platform/CN=deployer',
      key: 'ec-p256',
      san: `URI:${SPIFFE_ID},DNS:deployer.example.internal`,
    }),
    ecP384: issueEndEntity(issuing, { name: 'ec-p384', subject: APP_SUBJECT, key: 'ec-p384' }),
    expired: issueEndEntity(issuing, {
      name: 'expired',
      subject: APP_SUBJECT,
      notBefore: now - 48 * hour,
      notAfter: now - 24 * hour,
    }),
    notYetValid: issueEndEntity(issuing, {
      name: 'not-yet-valid',
      subject: APP_SUBJECT,
      notBefore: now + 24 * hour,
      notAfter: now + 48 * hour,
    }),
    revoked,
    foreign: issueEndEntity(foreignRoot, { name: 'foreign', subject: APP_SUBJECT }),
    rsa1024: issueEndEntity(issuing, { name: 'rsa1024', subject: APP_SUBJECT, key: 'rsa1024' }),
    noDigitalSignature: issueEndEntity(issuing, {
      name: 'no-digital-signature',
      subject: APP_SUBJECT,
      keyUsage: 'keyEncipherment',
    }),
    subIssuing,
    beyondPathLength: issueEndEntity(subIssuing, {
      name: 'beyond-path-length',
      subject: APP_SUBJECT,
      key: 'ec-p256',
    }),
    notACa,
    issuedByNonCa: issueEndEntity(notACa, { name: 'issued-by-non-ca', subject: APP_SUBJECT, key: 'ec-p256' }),
    unknownCriticalExtension: issueEndEntity(issuing, {
      name: 'unknown-critical-extension',
      subject: APP_SUBJECT,
      key: 'ec-p256',
      extraExtensions: ['1.3.6.1.4.1.55555.1 = critical,ASN1:UTF8String:fedgate-test'],
    }),
    untaggable: issueEndEntity(issuing, {
      name: 'untaggable',
      subject: '/O=Example/OU=payments/CN=app (prod)',
      key: 'ec-p256',
    }),
    expiredIssuing,
    underExpiredIssuer: issueEndEntity(expiredIssuing, {
      name: 'under-expired-issuer',
      subject: APP_SUBJECT,
      key: 'ec-p256',
    }),
    crlPath,
  };
}

const ASSUME = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];

/** The gateway configuration: anchors `corp` (root + issuing, CRL), `root-only`, `retired` (disabled). */
export function rolesAnywhereConfig(
  pki: RolesAnywherePki,
  options: { crls?: readonly string[]; crlRefresh?: number } = {},
): Record<string, unknown> {
  return {
    roles: [
      {
        name: 'Payments',
        // fedgate's own name for the Roles Anywhere principal.
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'rolesanywhere.fedgate' },
              Action: ASSUME,
              Condition: {
                StringEquals: { 'aws:PrincipalTag/x509Subject/CN': 'app-rsa.example.internal' },
                ArnEquals: { 'aws:SourceArn': [anchorArn('corp'), anchorArn('root-only')] },
              },
            },
          ],
        },
        inlinePolicies: {
          OwnTeamOrders: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'orders:GetOrder',
                Resource: 'arn:fedgate:orders:::order/${aws:PrincipalTag/x509Subject/OU}/*',
              },
            ],
          },
        },
      },
      {
        name: 'Deployer',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'rolesanywhere.amazonaws.com' },
              Action: ASSUME,
              Condition: {
                StringEquals: { 'aws:PrincipalTag/x509SAN/URI': SPIFFE_ID },
                ArnEquals: { 'aws:SourceArn': anchorArn('corp') },
              },
            },
          ],
        },
        inlinePolicies: {
          Deploy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'orders:GetOrder', Resource: '*' },
              {
                Effect: 'Allow',
                Action: 'fedgate:RevokeSessions',
                Resource: `arn:fedgate:fedgate::${ACCOUNT}:subject/x509:*`,
              },
            ],
          },
        },
      },
      { name: 'Unlisted', trustPolicy: trustAnyCertificate() },
      // Trust policies that leave out one of the three actions Roles Anywhere needs.
      { name: 'NoTagSession', trustPolicy: trustAnyCertificate(['sts:AssumeRole', 'sts:SetSourceIdentity']) },
      { name: 'NoSourceIdentity', trustPolicy: trustAnyCertificate(['sts:AssumeRole', 'sts:TagSession']) },
    ],
    policies: {
      SearchOrdersOnly: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'orders:GetOrder', Resource: 'arn:fedgate:orders:::order/search/*' },
        ],
      },
    },
    routes: [
      {
        host: 'orders.example.internal',
        methods: ['GET'],
        path: '/orders/:team/:id',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/${team}/${id}',
      },
    ],
    trustAnchors: [
      {
        id: 'corp',
        certificates: pki.root.certPem + pki.issuing.certPem,
        crls: options.crls ?? [pki.crlPath],
        crlRefresh: options.crlRefresh ?? 3600,
      },
      { id: 'root-only', certificates: pki.root.certPem },
      { id: 'retired', certificates: pki.root.certPem + pki.issuing.certPem, enabled: false },
    ],
    profiles: [
      {
        id: 'workloads',
        roles: ['Payments', 'Deployer', 'NoTagSession', 'NoSourceIdentity'],
        durationSeconds: 3600,
      },
      { id: 'paused', roles: ['Payments'], enabled: false },
      { id: 'instances', roles: ['Payments'], requireInstanceProperties: true },
      { id: 'named', roles: ['Payments'], acceptRoleSessionName: true },
      // Deployer may read every order; these profiles narrow it with session policies.
      {
        id: 'payments-orders',
        roles: ['Deployer'],
        sessionPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'orders:GetOrder', Resource: 'arn:fedgate:orders:::order/payments/*' },
          ],
        },
      },
      { id: 'search-orders', roles: ['Deployer'], managedPolicies: ['SearchOrdersOnly'] },
      {
        id: 'few-tags',
        roles: ['Deployer'],
        attributeMapping: { x509Subject: ['CN'], x509Issuer: [], x509SAN: ['URI'] },
      },
    ],
  };
}

function trustAnyCertificate(actions: readonly string[] = ASSUME): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: actions }],
  };
}

/** What a CreateSession asks for. */
export interface SessionAsk {
  readonly role: string;
  readonly anchor?: string;
  readonly profile?: string;
  readonly intermediates?: readonly Buffer[];
  /** Epoch ms the request claims to be signed at. */
  readonly signedAt?: number;
  readonly durationSeconds?: number;
  readonly roleSessionName?: string;
  readonly instanceProperties?: Readonly<Record<string, string>>;
  /** Where the three ARNs go: the JSON body (the CreateSession page's example, the default) or the query string. */
  readonly arnsIn?: 'body' | 'query';
}

/**
 * Each ask is signed at its own second (X-Amz-Date has whole seconds, and the gateway knows a request by what was
 * signed), so two asks of a test are never the same request, which the gateway would rightly refuse as a replay.
 */
let lastSignedSecond = 0;
function nextSigningTime(): number {
  lastSignedSecond = Math.max(Math.floor(Date.now() / 1000), lastSignedSecond + 1);
  return lastSignedSecond * 1000;
}

/** A signed CreateSession for `certificate` (signed with `signingKeyPem`, default the certificate's own key). */
export function signedAsk(
  url: string,
  certificate: IssuedCertificate,
  ask: SessionAsk,
  signingKeyPem: string = certificate.keyPem,
): SignedCreateSession {
  const arns = {
    profileArn: profileArn(ask.profile ?? 'workloads'),
    roleArn: roleArn(ask.role),
    trustAnchorArn: anchorArn(ask.anchor ?? 'corp'),
  };
  const inQuery = ask.arnsIn === 'query';
  return signCreateSession({
    certificate: certificate.der,
    privateKey: createPrivateKey(signingKeyPem),
    endpoint: url,
    intermediates: ask.intermediates ?? [],
    ...(inQuery ? { query: arns } : {}),
    body: JSON.stringify({
      ...(inQuery ? {} : arns),
      ...(ask.durationSeconds === undefined ? {} : { durationSeconds: ask.durationSeconds }),
      ...(ask.roleSessionName === undefined ? {} : { roleSessionName: ask.roleSessionName }),
      ...(ask.instanceProperties === undefined ? {} : { instanceProperties: ask.instanceProperties }),
    }),
    now: ask.signedAt ?? nextSigningTime(),
  });
}

/** What the botocore-based client got back. */
export interface IndependentClientAnswer {
  readonly status: number;
  /** The SignedHeaders botocore chose (every header but Authorization and User-Agent). */
  readonly signedHeaders: string;
  readonly body: Record<string, unknown>;
}

const INDEPENDENT_CLIENT = fileURLToPath(new URL('./botocore-x509-client.py', import.meta.url));

/**
 * CreateSession through botocore-x509-client.py: a canonical request fedgate's code took no part in (botocore's
 * SigV4), signed per AWS's Roles Anywhere signing page, in the request shape of AWS's signing helper.
 */
export function independentCreateSession(
  url: string,
  certificate: IssuedCertificate,
  ask: { role: string; anchor?: string; intermediatePaths?: readonly string[]; arnsIn: 'body' | 'query' },
): Promise<IndependentClientAnswer> {
  const input = JSON.stringify({
    endpoint: url,
    certificate: certificate.certPath,
    privateKey: certificate.keyPath,
    intermediates: ask.intermediatePaths ?? [],
    profileArn: profileArn('workloads'),
    roleArn: roleArn(ask.role),
    trustAnchorArn: anchorArn(ask.anchor ?? 'corp'),
    arnsIn: ask.arnsIn,
    region: 'eu-west-2',
  });
  return new Promise((resolve, reject) => {
    // The Debian python3 with botocore and cryptography, never a pyenv shim.
    const child = execFile(
      '/usr/bin/python3',
      [INDEPENDENT_CLIENT],
      { timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`the botocore client failed: ${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout) as IndependentClientAnswer);
      },
    );
    child.stdin?.end(input);
  });
}

/** Sends a signed request as is (Host comes from the URL). */
export function send(signed: SignedCreateSession): Promise<Response> {
  const { host: _host, ...headers } = signed.headers;
  return fetch(signed.url, { method: 'POST', headers, body: signed.body });
}

/** Asks the authorizer, as a forward-auth proxy would, whether the credential may GET the orders path. */
export function authorize(url: string, token: string, path: string): Promise<Response> {
  return fetch(`${url}/authz`, {
    headers: {
      authorization: `Bearer ${token}`,
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'orders.example.internal',
      'x-forwarded-uri': path,
    },
  });
}
