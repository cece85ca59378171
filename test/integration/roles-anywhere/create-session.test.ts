import { execFile } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCli } from '../../../src/cli/run-cli.js';
import { captureIo } from '../../support/cli-io.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecordOf } from '../../../src/audit/index.js';
import { signCreateSession, type SignedCreateSession } from '../../../src/roles-anywhere/index.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';
import {
  anchorArn,
  authorize,
  buildPki,
  independentCreateSession,
  profileArn,
  roleArn,
  rolesAnywhereConfig,
  send,
  signedAsk,
  SPIFFE_ID,
  type RolesAnywherePki,
} from './roles-anywhere-bed.js';

/*
 * IAM Roles Anywhere's CreateSession against a real gateway, with certificates made by openssl at test time and
 * requests signed the way AWS's signing helper signs them (AWS4-X509-*, SigV4 canonical request).
 */

let pki: RolesAnywherePki;
let fx: GatewayFixture;

beforeAll(async () => {
  pki = buildPki();
  fx = await startGatewayFixture({ config: rolesAnywhereConfig(pki) });
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

interface CredentialSetAnswer {
  credentialSet: {
    assumedRoleUser: { arn: string; assumedRoleId: string };
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    packedPolicySize: number;
    roleArn: string;
    sourceIdentity: string;
  }[];
  subjectArn: string;
}

async function problem(response: Response): Promise<{ status: number; code: string; detail: string }> {
  const body = (await response.json()) as { code: string; detail: string };
  return { status: response.status, code: body.code, detail: body.detail };
}

/** The refusal audit event of the request that got this answer. */
function refusalOf(response: Response): AuditRecordOf<'role.refused'> | undefined {
  const requestId = response.headers.get('x-request-id');
  return fx.audit.find(
    (record): record is AuditRecordOf<'role.refused'> =>
      record.event === 'role.refused' && record.requestId === requestId,
  );
}

/** The order n of the P-256 group. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The other valid ECDSA signature of the same message: DER (r, s) → (r, n − s). */
function ecdsaTwin(signatureHex: string, order: bigint): string {
  const der = Buffer.from(signatureHex, 'hex');
  const rLength = der[3] ?? 0;
  const rElement = der.subarray(2, 4 + rLength);
  const sLength = der[5 + rLength] ?? 0;
  const s = BigInt(`0x${der.subarray(6 + rLength, 6 + rLength + sLength).toString('hex')}`);
  let twinHex = (order - s).toString(16);
  if (twinHex.length % 2 === 1) twinHex = `0${twinHex}`;
  let twinBytes = Buffer.from(twinHex, 'hex');
  if ((twinBytes[0] ?? 0) & 0x80) twinBytes = Buffer.concat([Buffer.from([0]), twinBytes]);
  const sElement = Buffer.concat([Buffer.from([0x02, twinBytes.length]), twinBytes]);
  const content = Buffer.concat([rElement, sElement]);
  return Buffer.concat([Buffer.from([0x30, content.length]), content]).toString('hex');
}

function sessionClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describe('CreateSession: valid certificates', () => {
  it('an RSA certificate gets AWS credentialSet JSON, its tags as AWS names them, and a session the authorizer honours', async () => {
    const response = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments' }));
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const answer = (await response.json()) as CredentialSetAnswer;
    const [set] = answer.credentialSet;
    expect(set).toMatchObject({
      assumedRoleUser: { arn: `arn:fedgate:sts::000000000000:assumed-role/Payments/${pki.rsaApp.serialHex}` },
      roleArn: roleArn('Payments'),
      sourceIdentity: 'CN=app-rsa.example.internal',
    });
    expect(set?.credentials.accessKeyId).toMatch(/^FSIA/);
    expect(set?.credentials.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(answer.subjectArn).toMatch(/^arn:fedgate:rolesanywhere::000000000000:subject\/[0-9a-f-]{36}$/);
    const claims = sessionClaims(set?.credentials.sessionToken ?? '');
    expect(claims.tags).toEqual({
      'x509Subject/O': 'Example',
      'x509Subject/OU': 'payments',
      'x509Subject/CN': 'app-rsa.example.internal',
      'x509Issuer/O': 'Example',
      'x509Issuer/CN': 'Example Issuing CA',
      'x509SAN/DNS': 'app-rsa.example.internal',
    });
    expect(claims.srcid).toBe('CN=app-rsa.example.internal');
    // aws:PrincipalTag/x509Subject/OU = payments opens the payments orders, and only those.
    const token = set?.credentials.sessionToken ?? '';
    expect((await authorize(fx.url, token, '/orders/payments/7')).status).toBe(200);
    expect((await authorize(fx.url, token, '/orders/search/7')).status).toBe(403);
  });

  it('an EC P-256 certificate with a SPIFFE URI SAN: the trust condition on x509SAN/URI selects Deployer', async () => {
    const response = await send(signedAsk(fx.url, pki.ecSpiffe, { role: 'Deployer' }));
    expect(response.status).toBe(201);
    const answer = (await response.json()) as CredentialSetAnswer;
    const claims = sessionClaims(answer.credentialSet[0]?.credentials.sessionToken ?? '');
    expect(claims.tags).toMatchObject({ 'x509SAN/URI': SPIFFE_ID, 'x509Subject/CN': 'deployer' });
    // The same certificate may not become Payments (CN condition), nor the RSA app Deployer (URI condition).
    const refused = await send(signedAsk(fx.url, pki.ecSpiffe, { role: 'Payments' }));
    expect(await problem(refused)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(refusalOf(refused)?.details?.refusal).toBe('TrustPolicyDenied');
    const other = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Deployer' }));
    expect(await problem(other)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('a trust-policy condition on aws:SourceArn: the same certificate through another anchor is refused', async () => {
    // Deployer trusts certificates through the corp anchor only; root-only vouches for the same chain.
    const response = await send(
      signedAsk(fx.url, pki.ecSpiffe, {
        role: 'Deployer',
        anchor: 'root-only',
        intermediates: [pki.issuing.der],
      }),
    );
    expect(await problem(response)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(refusalOf(response)?.details?.refusal).toBe('TrustPolicyDenied');
  });

  it('an EC P-384 certificate is accepted (AWS4-X509-ECDSA-SHA256)', async () => {
    const response = await send(signedAsk(fx.url, pki.ecP384, { role: 'Payments' }));
    expect(response.status).toBe(201);
  });

  it('intermediates travel in X-Amz-X509-Chain when the anchor holds only the root', async () => {
    const withChain = await send(
      signedAsk(fx.url, pki.rsaApp, {
        role: 'Payments',
        anchor: 'root-only',
        intermediates: [pki.issuing.der],
      }),
    );
    expect(withChain.status).toBe(201);
    const without = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments', anchor: 'root-only' }));
    expect(await problem(without)).toMatchObject({ status: 403, code: 'UntrustedCertificate' });
    expect(refusalOf(without)?.details?.refusal).toBe('NoChainToTrustAnchor');
  });

  it('the session is an ordinary fedgate session: audited as role.assumed with the certificate', async () => {
    const response = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments' }));
    const requestId = response.headers.get('x-request-id');
    const event = fx.audit.find(
      (record) => record.event === 'role.assumed' && record.requestId === requestId,
    );
    expect(event).toMatchObject({
      outcome: 'success',
      provider: 'trust-anchor/corp',
      role: 'Payments',
      details: {
        action: 'rolesanywhere:CreateSession',
        certificateSerial: pki.rsaApp.serialHex,
        trustAnchor: 'corp',
        profile: 'workloads',
      },
    });
  });
});

describe("CreateSession from a client fedgate's code takes no part in", () => {
  // botocore's SigV4 canonical request + the signing page's AWS4-X509 string to sign, sent by urllib.
  it("AWS's signing-helper shape: ARNs in the query string, SDK headers signed, the chain in X-Amz-X509-Chain", async () => {
    const answer = await independentCreateSession(fx.url, pki.rsaApp, {
      role: 'Payments',
      anchor: 'root-only',
      intermediatePaths: [pki.issuing.certPath],
      arnsIn: 'query',
    });
    expect(answer.status).toBe(201);
    // Everything but Authorization and User-Agent is signed, as aws_signing_helper does.
    expect(answer.signedHeaders.split(';')).toEqual(
      expect.arrayContaining([
        'amz-sdk-invocation-id',
        'amz-sdk-request',
        'content-length',
        'x-amz-x509-chain',
      ]),
    );
    const [set] = (answer.body as unknown as CredentialSetAnswer).credentialSet;
    expect(set?.roleArn).toBe(roleArn('Payments'));
    expect((await authorize(fx.url, set?.credentials.sessionToken ?? '', '/orders/payments/7')).status).toBe(
      200,
    );
  });

  it("the CreateSession page's shape: ARNs in the JSON body, an EC key", async () => {
    const answer = await independentCreateSession(fx.url, pki.ecSpiffe, { role: 'Deployer', arnsIn: 'body' });
    expect(answer.status).toBe(201);
    const [set] = (answer.body as unknown as CredentialSetAnswer).credentialSet;
    expect(sessionClaims(set?.credentials.sessionToken ?? '').tags).toMatchObject({
      'x509SAN/URI': SPIFFE_ID,
    });
  });

  it('a refusal reaches it too (a foreign certificate)', async () => {
    const answer = await independentCreateSession(fx.url, pki.foreign, { role: 'Payments', arnsIn: 'query' });
    expect(answer).toMatchObject({ status: 403, body: { code: 'UntrustedCertificate' } });
  });
});

describe('CreateSession: the profile', () => {
  it('requireInstanceProperties: a request with instanceProperties passes', async () => {
    const response = await send(
      signedAsk(fx.url, pki.rsaApp, {
        role: 'Payments',
        profile: 'instances',
        instanceProperties: { host: 'web-1' },
      }),
    );
    expect(response.status).toBe(201);
  });

  it('acceptRoleSessionName: the request names the session', async () => {
    const response = await send(
      signedAsk(fx.url, pki.rsaApp, { role: 'Payments', profile: 'named', roleSessionName: 'nightly-build' }),
    );
    const [set] = ((await response.json()) as CredentialSetAnswer).credentialSet;
    expect(set?.assumedRoleUser.arn).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Payments/nightly-build',
    );
  });

  it('attributeMapping: only the mapped certificate fields become tags', async () => {
    const response = await send(signedAsk(fx.url, pki.ecSpiffe, { role: 'Deployer', profile: 'few-tags' }));
    const [set] = ((await response.json()) as CredentialSetAnswer).credentialSet;
    expect(sessionClaims(set?.credentials.sessionToken ?? '').tags).toEqual({
      'x509Subject/CN': 'deployer',
      'x509SAN/URI': SPIFFE_ID,
    });
  });

  it('sessionPolicy narrows the role as a session policy', async () => {
    const response = await send(
      signedAsk(fx.url, pki.ecSpiffe, { role: 'Deployer', profile: 'payments-orders' }),
    );
    const [set] = ((await response.json()) as CredentialSetAnswer).credentialSet;
    const token = set?.credentials.sessionToken ?? '';
    expect(set?.packedPolicySize).toBeGreaterThan(0);
    expect((await authorize(fx.url, token, '/orders/payments/1')).status).toBe(200);
    expect((await authorize(fx.url, token, '/orders/search/1')).status).toBe(403);
  });

  it('managedPolicies narrow the role as session policies', async () => {
    const response = await send(
      signedAsk(fx.url, pki.ecSpiffe, { role: 'Deployer', profile: 'search-orders' }),
    );
    const [set] = ((await response.json()) as CredentialSetAnswer).credentialSet;
    const token = set?.credentials.sessionToken ?? '';
    expect((await authorize(fx.url, token, '/orders/search/1')).status).toBe(200);
    expect((await authorize(fx.url, token, '/orders/payments/1')).status).toBe(403);
  });

  it("durationSeconds: a longer ask is capped at the profile's duration", async () => {
    const before = Date.now();
    const response = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments', durationSeconds: 7200 }));
    const [set] = ((await response.json()) as CredentialSetAnswer).credentialSet;
    const lifetime = Date.parse(set?.credentials.expiration ?? '') - before;
    expect(lifetime).toBeGreaterThan(3_500_000);
    expect(lifetime).toBeLessThanOrEqual(3_600_000 + 2_000);
  });

  it('durationSeconds: more than 12 hours is a ValidationError', async () => {
    const response = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments', durationSeconds: 43_201 }));
    expect(await problem(response)).toMatchObject({ status: 400, code: 'ValidationError' });
  });
});

describe('CreateSession: each invalid certificate gets its own refusal', () => {
  const cases: [string, () => SignedCreateSession, number, string, string][] = [
    [
      'expired',
      () => signedAsk(fx.url, pki.expired, { role: 'Payments' }),
      403,
      'CertificateExpired',
      'CertificateExpired',
    ],
    [
      'issued by an intermediate CA that has expired',
      () =>
        signedAsk(fx.url, pki.underExpiredIssuer, {
          role: 'Payments',
          anchor: 'root-only',
          intermediates: [pki.expiredIssuing.der],
        }),
      403,
      'CertificateExpired',
      'CertificateExpired',
    ],
    [
      'not yet valid',
      () => signedAsk(fx.url, pki.notYetValid, { role: 'Payments' }),
      403,
      'CertificateNotYetValid',
      'CertificateNotYetValid',
    ],
    [
      'revoked in the CRL',
      () => signedAsk(fx.url, pki.revoked, { role: 'Payments' }),
      403,
      'CertificateRevoked',
      'CertificateRevoked',
    ],
    [
      'from a foreign CA',
      () => signedAsk(fx.url, pki.foreign, { role: 'Payments' }),
      403,
      'UntrustedCertificate',
      'NoChainToTrustAnchor',
    ],
    [
      'a CA certificate used as the end entity',
      () => signedAsk(fx.url, pki.issuing, { role: 'Payments' }),
      403,
      'CertificateNotForSigning',
      'EndEntityIsCa',
    ],
    [
      'without digitalSignature key usage',
      () => signedAsk(fx.url, pki.noDigitalSignature, { role: 'Payments' }),
      403,
      'CertificateNotForSigning',
      'DigitalSignatureNotAllowed',
    ],
    [
      'with an RSA-1024 key',
      () => signedAsk(fx.url, pki.rsa1024, { role: 'Payments' }),
      403,
      'UnsupportedCertificateKey',
      'UnsupportedKey',
    ],
    [
      'at a disabled trust anchor',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'Payments', anchor: 'retired' }),
      403,
      'UntrustedCertificate',
      'TrustAnchorDisabled',
    ],
    [
      'at an unknown trust anchor',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'Payments', anchor: 'nope' }),
      403,
      'UntrustedCertificate',
      'UnknownTrustAnchor',
    ],
    [
      'through a disabled profile',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'Payments', profile: 'paused' }),
      403,
      'AccessDenied',
      'ProfileDisabled',
    ],
    [
      'for a role the profile does not list',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'Unlisted' }),
      403,
      'AccessDenied',
      'RoleNotInProfile',
    ],
    [
      'through an unknown profile',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'Payments', profile: 'nope' }),
      403,
      'AccessDenied',
      'UnknownProfile',
    ],
    [
      'for an unknown role',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'Nobody' }),
      403,
      'AccessDenied',
      'UnknownRole',
    ],
    [
      'issued by a certificate that is not a CA',
      () =>
        signedAsk(fx.url, pki.issuedByNonCa, {
          role: 'Payments',
          anchor: 'root-only',
          intermediates: [pki.notACa.der],
        }),
      403,
      'UntrustedCertificate',
      'IssuerNotCa',
    ],
    [
      "one CA deeper than the issuing CA's pathlen:0 allows",
      () =>
        signedAsk(fx.url, pki.beyondPathLength, { role: 'Payments', intermediates: [pki.subIssuing.der] }),
      403,
      'UntrustedCertificate',
      'PathLengthExceeded',
    ],
    [
      'with a critical extension fedgate does not know',
      () => signedAsk(fx.url, pki.unknownCriticalExtension, { role: 'Payments' }),
      403,
      'UntrustedCertificate',
      'UnhandledCriticalExtension',
    ],
    [
      'whose mapped subject CN cannot be a session tag',
      () => signedAsk(fx.url, pki.untaggable, { role: 'Payments' }),
      400,
      'ValidationError',
      'UntaggableCertificateAttribute',
    ],
    [
      'through a profile that requires instanceProperties, without them',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'Payments', profile: 'instances' }),
      400,
      'ValidationError',
      'InstancePropertiesRequired',
    ],
    [
      'naming the session through a profile that does not accept roleSessionName',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'Payments', roleSessionName: 'chosen-name' }),
      400,
      'ValidationError',
      'RoleSessionNameNotAccepted',
    ],
    [
      'for a role whose trust policy does not allow sts:TagSession',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'NoTagSession' }),
      403,
      'AccessDenied',
      'TagSessionDenied',
    ],
    [
      'for a role whose trust policy does not allow sts:SetSourceIdentity',
      () => signedAsk(fx.url, pki.rsaApp, { role: 'NoSourceIdentity' }),
      403,
      'AccessDenied',
      'SetSourceIdentityDenied',
    ],
  ];
  it.each(cases)('%s', async (_name, request, status, code, reason) => {
    const response = await send(request());
    expect(await problem(response)).toMatchObject({ status, code });
    expect(refusalOf(response)).toMatchObject({ reason: code, details: { refusal: reason } });
  });
});

describe('CreateSession: attacks on the signature', () => {
  it('tampered-body: a body changed after signing (another role) is SignatureDoesNotMatch', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments' });
    const response = await send({ ...signed, body: signed.body.replace('role/Payments', 'role/Deployer') });
    expect(await problem(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(refusalOf(response)?.details?.refusal).toBe('SignatureMismatch');
  });

  it('tampered-signed-header: a changed X-Amz-Date (kept inside the window) is SignatureDoesNotMatch', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments' });
    const date = signed.headers['x-amz-date'] ?? '';
    const shifted = date.replace(/(\d)Z$/, (_m, digit: string) => `${(Number(digit) + 1) % 10}Z`);
    const response = await send({ ...signed, headers: { ...signed.headers, 'x-amz-date': shifted } });
    expect(await problem(response)).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it("wrong-key: the victim's certificate signed with another key is SignatureDoesNotMatch", async () => {
    const response = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments' }, pki.rsa1024.keyPem));
    expect(await problem(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('swapped-certificate: a valid signature with another certificate in X-Amz-X509 does not verify', async () => {
    const mine = signedAsk(fx.url, pki.ecP384, { role: 'Payments' });
    const response = await send({
      ...mine,
      headers: { ...mine.headers, 'x-amz-x509': pki.ecSpiffe.der.toString('base64') },
    });
    expect(await problem(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('tampered-query: a roleArn changed in the query string after signing is SignatureDoesNotMatch', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments', arnsIn: 'query' });
    const response = await send({ ...signed, url: signed.url.replace('role%2FPayments', 'role%2FDeployer') });
    expect(await problem(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(refusalOf(response)?.details?.refusal).toBe('SignatureMismatch');
  });

  it('conflicting-arns: a signed request naming one role in the query and another in the body is refused', async () => {
    const signed = signCreateSession({
      certificate: pki.rsaApp.der,
      privateKey: createPrivateKey(pki.rsaApp.keyPem),
      endpoint: fx.url,
      query: { roleArn: roleArn('Payments') },
      body: JSON.stringify({
        profileArn: profileArn('workloads'),
        roleArn: roleArn('Deployer'),
        trustAnchorArn: anchorArn('corp'),
      }),
    });
    const response = await send(signed);
    expect(await problem(response)).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(refusalOf(response)?.details?.refusal).toBe('MalformedRequestBody');
  });

  it('algorithm-swap: an RSA certificate presented as AWS4-X509-ECDSA-SHA256 is SignatureDoesNotMatch', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments' });
    const authorization = (signed.headers.authorization ?? '').replace(
      'AWS4-X509-RSA-SHA256',
      'AWS4-X509-ECDSA-SHA256',
    );
    const response = await send({ ...signed, headers: { ...signed.headers, authorization } });
    expect(await problem(response)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(refusalOf(response)?.details?.refusal).toBe('AlgorithmKeyMismatch');
  });

  it('garbage-certificate: an X-Amz-X509 that is not a base64 DER certificate is IncompleteSignature', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments' });
    const response = await send({
      ...signed,
      headers: { ...signed.headers, 'x-amz-x509': Buffer.from('not a certificate').toString('base64') },
    });
    expect(await problem(response)).toMatchObject({ status: 400, code: 'IncompleteSignature' });
    expect(refusalOf(response)?.details?.refusal).toBe('MalformedCertificateHeader');
  });

  it('inside-window: a request signed 4 minutes ago is still accepted', async () => {
    const response = await send(
      signedAsk(fx.url, pki.rsaApp, { role: 'Payments', signedAt: Date.now() - 240_000 }),
    );
    expect(response.status).toBe(201);
  });

  it('stale-date: a request signed 10 minutes ago is RequestExpired', async () => {
    const response = await send(
      signedAsk(fx.url, pki.rsaApp, { role: 'Payments', signedAt: Date.now() - 600_000 }),
    );
    expect(await problem(response)).toMatchObject({ status: 403, code: 'RequestExpired' });
    expect(refusalOf(response)?.details?.refusal).toBe('RequestDateOutOfWindow');
  });

  it('future-date: a request dated 10 minutes ahead is RequestExpired', async () => {
    const response = await send(
      signedAsk(fx.url, pki.rsaApp, { role: 'Payments', signedAt: Date.now() + 600_000 }),
    );
    expect(await problem(response)).toMatchObject({ code: 'RequestExpired' });
  });

  it('replay: the same signed request is refused once used', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments' });
    expect((await send(signed)).status).toBe(201);
    const again = await send(signed);
    expect(await problem(again)).toMatchObject({ status: 403, code: 'RequestReplayed' });
    expect(refusalOf(again)?.details?.refusal).toBe('SignatureReplayed');
  });

  it("replay-ecdsa-twin: the request again with its ECDSA signature's twin (r, n − s) is refused once used", async () => {
    const signed = signedAsk(fx.url, pki.ecSpiffe, { role: 'Deployer' });
    expect((await send(signed)).status).toBe(201);
    const authorization = signed.headers.authorization ?? '';
    const signature = /Signature=([0-9a-f]+)$/.exec(authorization)?.[1] ?? '';
    const twin = ecdsaTwin(signature, P256_ORDER);
    expect(twin).not.toBe(signature);
    const again = await send({
      ...signed,
      headers: { ...signed.headers, authorization: authorization.replace(signature, twin) },
    });
    // RequestReplayed, not SignatureDoesNotMatch: the twin verifies, and is recognised as the same request.
    expect(await problem(again)).toMatchObject({ status: 403, code: 'RequestReplayed' });
    expect(refusalOf(again)?.details?.refusal).toBe('SignatureReplayed');
  });

  it('unsigned-chain: an X-Amz-X509-Chain header outside SignedHeaders is IncompleteSignature', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments', anchor: 'root-only' });
    const response = await send({
      ...signed,
      headers: { ...signed.headers, 'x-amz-x509-chain': pki.issuing.der.toString('base64') },
    });
    expect(await problem(response)).toMatchObject({ status: 400, code: 'IncompleteSignature' });
    expect(refusalOf(response)?.details?.refusal).toBe('RequiredHeaderNotSigned');
  });

  it('serial-mismatch: a Credential naming another serial is SignatureDoesNotMatch', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments' });
    const authorization = (signed.headers.authorization ?? '').replace(/Credential=\d+/, 'Credential=12345');
    const response = await send({ ...signed, headers: { ...signed.headers, authorization } });
    expect(await problem(response)).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(refusalOf(response)?.details?.refusal).toBe('CredentialSerialMismatch');
  });

  it('hmac-algorithm: an AWS4-HMAC-SHA256 Authorization is IncompleteSignature', async () => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments' });
    const authorization = (signed.headers.authorization ?? '').replace(
      'AWS4-X509-RSA-SHA256',
      'AWS4-HMAC-SHA256',
    );
    const response = await send({ ...signed, headers: { ...signed.headers, authorization } });
    expect(await problem(response)).toMatchObject({ status: 400, code: 'IncompleteSignature' });
    expect(refusalOf(response)?.details?.refusal).toBe('UnsupportedSigningAlgorithm');
  });

  it.each([
    ['without a Signature', (value: string) => value.replace(/, Signature=[0-9a-f]+$/, '')],
    ['scoped to another service', (value: string) => value.replace('/rolesanywhere/', '/sts/')],
  ])('malformed-authorization: an Authorization %s is IncompleteSignature', async (_name, change) => {
    const signed = signedAsk(fx.url, pki.rsaApp, { role: 'Payments' });
    const authorization = change(signed.headers.authorization ?? '');
    expect(authorization).not.toBe(signed.headers.authorization);
    const response = await send({ ...signed, headers: { ...signed.headers, authorization } });
    expect(await problem(response)).toMatchObject({ status: 400, code: 'IncompleteSignature' });
    expect(refusalOf(response)?.details?.refusal).toBe('MalformedAuthorization');
  });

  it('no error echoes a request value', async () => {
    const signed = signCreateSession({
      certificate: pki.rsaApp.der,
      privateKey: createPrivateKey(pki.rsaApp.keyPem),
      endpoint: fx.url,
      body: JSON.stringify({
        profileArn: profileArn('workloads'),
        roleArn: 'arn:<script>alert(1)</script>',
        trustAnchorArn: anchorArn('corp'),
        extra: '<marker-value>',
      }),
    });
    const response = await send(signed);
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('<marker-value>');
  });
});

describe('fedgate credentials x509', () => {
  const args = (certificate: { certPath: string; keyPath: string }, role: string): string[] => [
    'credentials',
    'x509',
    '--certificate',
    certificate.certPath,
    '--private-key',
    certificate.keyPath,
    '--trust-anchor',
    anchorArn('corp'),
    '--profile',
    profileArn('workloads'),
    '--role',
    roleArn(role),
    '--endpoint',
    fx.url,
  ];

  it('prints credential_process JSON whose session the authorizer honours', async () => {
    const io = captureIo();
    expect(await runCli(args(pki.ecSpiffe, 'Deployer'), io)).toBe(0);
    const output = JSON.parse(io.stdoutText()) as Record<string, unknown>;
    expect(Object.keys(output)).toEqual([
      'Version',
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
    ]);
    expect(output.Version).toBe(1);
    expect(sessionClaims(String(output.SessionToken)).tags).toMatchObject({
      'x509Subject/CN': 'deployer',
      'x509SAN/URI': SPIFFE_ID,
    });
    expect((await authorize(fx.url, String(output.SessionToken), '/orders/any/1')).status).toBe(200);
  });

  it('sends the intermediates given with --intermediates as X-Amz-X509-Chain', async () => {
    const io = captureIo();
    const argv = args(pki.rsaApp, 'Payments').map((value) =>
      value === anchorArn('corp') ? anchorArn('root-only') : value,
    );
    expect(await runCli(argv, io)).toBe(1);
    expect(io.stderrText()).toContain('UntrustedCertificate');
    const withChain = captureIo();
    expect(await runCli([...argv, '--intermediates', pki.issuing.certPath], withChain)).toBe(0);
  });

  it.each([
    ['expired', () => pki.expired, 'CertificateExpired'],
    ['not yet valid', () => pki.notYetValid, 'CertificateNotYetValid'],
    ['revoked in the CRL', () => pki.revoked, 'CertificateRevoked'],
    ['from a foreign CA', () => pki.foreign, 'UntrustedCertificate'],
    ['a CA certificate as the end entity', () => pki.issuing, 'CertificateNotForSigning'],
  ])(
    'a refusal (%s) is exit 1 with its code on stderr, nothing on stdout',
    async (_name, certificate, code) => {
      const io = captureIo();
      expect(await runCli(args(certificate(), 'Payments'), io)).toBe(1);
      expect(io.stderrText()).toContain(`: ${code}: `);
      expect(io.stdoutText()).toBe('');
    },
  );

  it('--help shows an AWS config profile with credential_process', async () => {
    const io = captureIo();
    expect(await runCli(['credentials', 'x509', '--help'], io)).toBe(0);
    expect(io.stdoutText()).toContain('[profile workload]');
    expect(io.stdoutText()).toContain('credential_process = fedgate credentials x509 --certificate');
  });

  it('the AWS CLI gets its credentials through credential_process', async () => {
    const entry = fileURLToPath(new URL('../../support/run-fedgate.ts', import.meta.url));
    const tsx = fileURLToPath(import.meta.resolve('tsx'));
    const command = ['node', '--import', tsx, entry, ...args(pki.ecSpiffe, 'Deployer')].join(' ');
    const configFile = join(pki.dir, 'aws-config');
    writeFileSync(configFile, `[profile workload]\ncredential_process = ${command}\n`);
    const { stdout } = await promisify(execFile)(
      '/usr/bin/aws',
      ['configure', 'export-credentials', '--profile', 'workload', '--format', 'process'],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: pki.dir,
          AWS_CONFIG_FILE: configFile,
          AWS_SHARED_CREDENTIALS_FILE: join(pki.dir, 'no-credentials'),
        },
        timeout: 60_000,
      },
    );
    const exported = JSON.parse(stdout) as Record<string, string>;
    expect(exported.AccessKeyId).toMatch(/^FSIA/);
    expect((await authorize(fx.url, exported.SessionToken ?? '', '/orders/any/1')).status).toBe(200);
  }, 90_000);
});
