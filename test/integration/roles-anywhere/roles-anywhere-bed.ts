/**
 * The Roles Anywhere test bed: an openssl-made PKI (root → issuing intermediate, a foreign root) with every
 * kind of end-entity certificate the tests present, a gateway configuration with trust anchors, profiles and
 * two roles whose trust policies select by certificate tag, and a raw CreateSession caller.
 */
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    ],
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
      { id: 'workloads', roles: ['Payments', 'Deployer'], durationSeconds: 3600 },
      { id: 'paused', roles: ['Payments'], enabled: false },
    ],
  };
}

function trustAnyCertificate(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'rolesanywhere.amazonaws.com' }, Action: ASSUME }],
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
}

/** A signed CreateSession for `certificate` (signed with `signingKeyPem`, default the certificate's own key). */
/**
 * Each ask is signed at its own second (X-Amz-Date has whole seconds and an RSA signature is deterministic), so two
 * asks of a test are never byte-identical, which the gateway would rightly refuse as a replay.
 */
let lastSignedSecond = 0;
function nextSigningTime(): number {
  lastSignedSecond = Math.max(Math.floor(Date.now() / 1000), lastSignedSecond + 1);
  return lastSignedSecond * 1000;
}

export function signedAsk(
  url: string,
  certificate: IssuedCertificate,
  ask: SessionAsk,
  signingKeyPem: string = certificate.keyPem,
): SignedCreateSession {
  return signCreateSession({
    certificate: certificate.der,
    privateKey: createPrivateKey(signingKeyPem),
    endpoint: url,
    intermediates: ask.intermediates ?? [],
    body: JSON.stringify({
      profileArn: profileArn(ask.profile ?? 'workloads'),
      roleArn: roleArn(ask.role),
      trustAnchorArn: anchorArn(ask.anchor ?? 'corp'),
      ...(ask.durationSeconds === undefined ? {} : { durationSeconds: ask.durationSeconds }),
    }),
    now: ask.signedAt ?? nextSigningTime(),
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
