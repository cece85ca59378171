import { execFile } from 'node:child_process';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect, it } from 'vitest';
import { send, type Answer, type GatewayUnderTest } from '../authorizer/authorizer-gateway.js';
import type { AuditEvent } from '../../../src/audit/index.js';
import { NodeSha256 } from '../../support/node-sha256.js';
import type { IssuedCredential } from '../../../src/sessions/index.js';
import type { ExpressUpstream } from './proxy-harness.js';

/** A fedgate credential as STS hands it out. */
export interface FedgateCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Absent only to show that a signature without it names no session. */
  readonly sessionToken?: string;
}

/** A signed request ready to send: path with query, and every header the signer produced. */
export interface SignedCall {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
}

const HOST = 'orders.example.com';
const REGION = 'us-east-1';
const SERVICE = 'orders';

function smithySigner(credential: FedgateCredential): SignatureV4 {
  return new SignatureV4({
    credentials: credential,
    region: REGION,
    service: SERVICE,
    sha256: NodeSha256,
  });
}

function queryString(query: Record<string, string>): string {
  const pairs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

/** Signs with @smithy/signature-v4 (what the AWS SDK for JavaScript v3 uses), in the Authorization header. */
export async function smithySigned(
  credential: FedgateCredential,
  request: { method?: string; path: string; query?: Record<string, string>; host?: string },
  options: { signingDate?: Date; headers?: Record<string, string> } = {},
): Promise<SignedCall> {
  const query = request.query ?? {};
  const signed = await smithySigner(credential).sign(
    new HttpRequest({
      method: request.method ?? 'GET',
      protocol: 'http:',
      hostname: request.host ?? HOST,
      path: request.path,
      query,
      headers: { host: request.host ?? HOST, ...options.headers },
    }),
    options.signingDate === undefined ? {} : { signingDate: options.signingDate },
  );
  return {
    method: signed.method,
    path: `${request.path}${queryString(query)}`,
    headers: signed.headers,
  };
}

/** A presigned URL from @smithy/signature-v4. */
export async function smithyPresigned(
  credential: FedgateCredential,
  request: { path: string; query?: Record<string, string> },
): Promise<SignedCall> {
  const presigned = await smithySigner(credential).presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: HOST,
      path: request.path,
      query: request.query ?? {},
      headers: { host: HOST },
    }),
    { expiresIn: 300 },
  );
  return {
    method: 'GET',
    path: `${request.path}${queryString(presigned.query as Record<string, string>)}`,
    headers: { host: HOST },
  };
}

const BOTOCORE_SIGNER = `
import json, sys
from urllib.parse import urlsplit
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
a = json.load(sys.stdin)
creds = Credentials(a["accessKeyId"], a["secretAccessKey"], a.get("sessionToken"))
req = AWSRequest(method=a["method"], url=a["url"])
if a["presign"]:
    SigV4QueryAuth(creds, a["service"], a["region"], expires=300).add_auth(req)
else:
    SigV4Auth(creds, a["service"], a["region"]).add_auth(req)
u = urlsplit(req.url)
print(json.dumps({"path": u.path + ("?" + u.query if u.query else ""), "headers": dict(req.headers.items())}))
`;

/** The Debian botocore (python3-boto3), never a pyenv python. */
const PYTHON = '/usr/bin/python3';

/** Signs with botocore (what boto3 and the AWS CLI use), as a subprocess: header form, or a presigned URL. */
export function botocoreSigned(
  credential: FedgateCredential,
  request: { method?: string; pathAndQuery: string; presign?: boolean },
): Promise<SignedCall> {
  const input = JSON.stringify({
    ...credential,
    method: request.method ?? 'GET',
    url: `http://${HOST}${request.pathAndQuery}`,
    presign: request.presign === true,
    service: SERVICE,
    region: REGION,
  });
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', BOTOCORE_SIGNER], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`botocore signing failed: ${stderr}`));
        return;
      }
      const out = JSON.parse(stdout) as { path: string; headers: Record<string, string> };
      resolve({ method: request.method ?? 'GET', path: out.path, headers: { host: HOST, ...out.headers } });
    });
    child.stdin?.end(input);
  });
}

/** What the SigV4 tests need from a running proxy suite. */
export interface SigV4Bed {
  readonly proxyPort: number;
  readonly upstream: ExpressUpstream;
  /** The gateway behind the proxy: it issues the credentials, revokes them and holds the audit trail. */
  readonly gateway: GatewayUnderTest;
  readonly credential: FedgateCredential;
}

/** The AWS-style credential (key id, secret, session token) of an issued session, and its session id. */
export function sigv4CredentialOf(
  issued: IssuedCredential,
): FedgateCredential & { readonly sessionId: string } {
  return {
    accessKeyId: issued.accessKeyId,
    secretAccessKey: issued.secretAccessKey,
    sessionToken: issued.token,
    sessionId: issued.session.id,
  };
}

/**
 * SigV4-signed requests through a real proxy configured from its guide, to the Express upstream: signed by
 * @smithy/signature-v4 and by botocore, allowed and denied by policy, tampered with, altered after signing,
 * presigned, expired and revoked.
 */
export function sigv4ThroughProxy(bed: () => SigV4Bed): void {
  const sendSigned = (call: SignedCall, override: Partial<SignedCall> = {}): Promise<Answer> =>
    send(`http://127.0.0.1:${bed().proxyPort}`, {
      method: override.method ?? call.method,
      path: override.path ?? call.path,
      headers: override.headers ?? call.headers,
    });
  const lastRefusal = (): AuditEvent | undefined =>
    bed().gateway.audit.findLast((event) => event.event === 'authz.denied');

  it('smithy header signature, allowed by policy: 200 from the order handler, with the identity headers', async () => {
    const from = bed().upstream.received.length;
    const answer = await sendSigned(await smithySigned(bed().credential, { path: '/orders/red/7' }));
    expect(answer.status).toBe(200);
    const hits = bed().upstream.hits('order', from);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.headers['x-fedgate-role']).toBe('arn:fedgate:iam::000000000000:role/Developer');
  });

  it('smithy header signature, denied by policy: 403, the admin page never served', async () => {
    const from = bed().upstream.received.length;
    const answer = await sendSigned(await smithySigned(bed().credential, { path: '/orders/red/admin' }));
    expect(answer.status).toBe(403);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
  });

  it('botocore header signature, allowed by policy: 200', async () => {
    const from = bed().upstream.received.length;
    const call = await botocoreSigned(bed().credential, { pathAndQuery: '/orders/red/8?view=full' });
    expect(call.headers['Authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
    const answer = await sendSigned(call);
    expect(answer.status).toBe(200);
    expect(bed().upstream.hits('order', from)).toHaveLength(1);
  });

  it('botocore header signature, denied by policy: 403', async () => {
    const from = bed().upstream.received.length;
    const answer = await sendSigned(
      await botocoreSigned(bed().credential, { pathAndQuery: '/orders/red/admin' }),
    );
    expect(answer.status).toBe(403);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
  });

  it('tampered-signature: one changed hex digit is 401 SignatureDoesNotMatch and never reaches the upstream', async () => {
    const from = bed().upstream.received.length;
    const call = await smithySigned(bed().credential, { path: '/orders/red/7' });
    const authorization = call.headers['authorization']!;
    const last = authorization.slice(-1);
    const tampered = `${authorization.slice(0, -1)}${last === '0' ? '1' : '0'}`;
    const answer = await sendSigned(call, { headers: { ...call.headers, authorization: tampered } });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^AWS4-HMAC-SHA256/);
    expect(lastRefusal()?.reason).toBe('SignatureDoesNotMatch');
    expect(bed().upstream.received.length).toBe(from);
  });

  it('query-altered-after-signing: a query parameter changed by the client is refused', async () => {
    const from = bed().upstream.received.length;
    const call = await smithySigned(bed().credential, { path: '/orders/red/7', query: { view: 'summary' } });
    const answer = await sendSigned(call, { path: '/orders/red/7?view=full' });
    expect(answer.status).toBe(401);
    expect(lastRefusal()?.reason).toBe('SignatureDoesNotMatch');
    const added = await sendSigned(call, { path: `${call.path}&extra=1` });
    expect(added.status).toBe(401);
    expect(bed().upstream.received.length).toBe(from);
  });

  it('path-altered-after-signing: a signature for an allowed order does not open the admin page', async () => {
    const from = bed().upstream.received.length;
    const call = await smithySigned(bed().credential, { path: '/orders/red/7' });
    const answer = await sendSigned(call, { path: '/orders/red/admin' });
    expect(answer.status).toBe(401);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
  });

  it('method-altered-after-signing: a signed GET replayed as a DELETE is refused', async () => {
    const call = await smithySigned(bed().credential, { path: '/orders/red/7' });
    const answer = await sendSigned(call, { method: 'DELETE' });
    expect(answer.status).toBe(401);
    expect(lastRefusal()?.reason).toBe('SignatureDoesNotMatch');
  });

  it('host-altered: a signature for another host is refused', async () => {
    const call = await smithySigned(bed().credential, { path: '/orders/red/7', host: 'public.example.com' });
    const answer = await sendSigned(call, { headers: { ...call.headers, host: HOST } });
    expect(answer.status).toBe(401);
  });

  it('a presigned URL (smithy, and botocore) is allowed; the same URL with its path changed is not', async () => {
    const from = bed().upstream.received.length;
    const smithy = await smithyPresigned(bed().credential, { path: '/orders/red/9' });
    expect(smithy.path).toContain('X-Amz-Security-Token=');
    expect((await sendSigned(smithy)).status).toBe(200);
    const boto = await botocoreSigned(bed().credential, { pathAndQuery: '/orders/red/10', presign: true });
    expect(boto.path).toContain('X-Amz-Signature=');
    expect((await sendSigned(boto)).status).toBe(200);
    expect(bed().upstream.hits('order', from)).toHaveLength(2);
    const moved = await sendSigned(smithy, {
      path: smithy.path.replace('/orders/red/9', '/orders/red/admin'),
    });
    expect(moved.status).toBe(401);
  });

  it('request-expired: a signature from 20 minutes ago (beyond the 15-minute skew) is 401 RequestExpired', async () => {
    const call = await smithySigned(
      bed().credential,
      { path: '/orders/red/7' },
      { signingDate: new Date(Date.now() - 20 * 60_000) },
    );
    const answer = await sendSigned(call);
    expect(answer.status).toBe(401);
    expect(lastRefusal()?.reason).toBe('RequestExpired');
  });

  it('revoked-credential: a revoked session signs correctly and is refused InvalidClientTokenId', async () => {
    const other = sigv4CredentialOf(
      await bed().gateway.issue({ roleName: 'Developer', tags: { team: 'payments' } }),
    );
    expect((await sendSigned(await smithySigned(other, { path: '/orders/red/7' }))).status).toBe(200);
    await bed().gateway.sessions.revokeSession(other.sessionId);
    const answer = await sendSigned(await smithySigned(other, { path: '/orders/red/7' }));
    expect(answer.status).toBe(401);
    expect(lastRefusal()?.reason).toBe('InvalidClientTokenId');
  });

  it('a signature by a secret that is not the session token’s is refused', async () => {
    const call = await smithySigned(
      { ...bed().credential, secretAccessKey: 'not-the-secret-of-this-session' },
      { path: '/orders/red/7' },
    );
    const answer = await sendSigned(call);
    expect(answer.status).toBe(401);
    expect(lastRefusal()?.reason).toBe('SignatureDoesNotMatch');
  });
}
