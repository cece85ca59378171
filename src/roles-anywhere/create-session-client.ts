import { sign as signData, type KeyObject } from 'node:crypto';
import { awsUriEncode, canonicalRequest, formatAmzDate, sha256Hex, stringToSign } from '../sigv4/index.js';
import { SIGNING_ALGORITHM_OF } from './certificate-key.js';
import type { CreateSessionResponse } from './create-session.js';
import { SIGNING_SERVICE } from './x509-request-signature.js';
import { parseCertificate } from './parsed-certificate.js';

/** What a workload signs a CreateSession with. */
export interface CreateSessionSigning {
  /** The end-entity certificate, DER. */
  readonly certificate: Buffer;
  /** Intermediate CA certificates (DER) for `X-Amz-X509-Chain`. */
  readonly intermediates?: readonly Buffer[];
  readonly privateKey: KeyObject;
  /** The gateway's base URL; the request goes to `<endpoint>/sessions`. */
  readonly endpoint: string;
  /** Query parameters (AWS's signing helper sends `profileArn`, `roleArn` and `trustAnchorArn` here). */
  readonly query?: Readonly<Record<string, string>>;
  readonly body: string;
  /** The credential scope region; fedgate accepts any. */
  readonly region?: string;
  /** Epoch ms of `X-Amz-Date`. */
  readonly now?: number;
}

/** A signed request, ready to send: URL, headers (Host included) and body. */
export interface SignedCreateSession {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Signs a CreateSession request the way AWS's signing helper does
 * (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/authentication-sign-process.html): SigV4 canonical
 * request (the query string included) over content-type, host, x-amz-date, x-amz-x509 (and x-amz-x509-chain),
 * string to sign with the AWS4-X509 algorithm of the key, signed with the certificate's private key;
 * `Credential=<serial in decimal>/…`.
 */
export function signCreateSession(input: CreateSessionSigning): SignedCreateSession {
  const url = new URL('sessions', input.endpoint.endsWith('/') ? input.endpoint : `${input.endpoint}/`);
  const query = Object.entries(input.query ?? {})
    .map(([name, value]) => `${awsUriEncode(name)}=${awsUriEncode(value)}`)
    .join('&');
  if (query !== '') url.search = `?${query}`;
  const keyType = input.privateKey.asymmetricKeyType;
  if (keyType !== 'rsa' && keyType !== 'ec') throw new TypeError('the private key must be RSA or EC');
  const algorithm = SIGNING_ALGORITHM_OF[keyType];
  const serial = parseCertificate(input.certificate).serialDecimal;
  const amzDate = formatAmzDate(Math.floor((input.now ?? Date.now()) / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-x509': input.certificate.toString('base64'),
  };
  if (input.intermediates !== undefined && input.intermediates.length > 0)
    headers['x-amz-x509-chain'] = input.intermediates.map((der) => der.toString('base64')).join(',');
  const signedHeaders = Object.keys(headers).sort();
  const scope = { date: amzDate.slice(0, 8), region: input.region ?? 'fedgate', service: SIGNING_SERVICE };
  const canonical = canonicalRequest(
    {
      method: 'POST',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      header: (name) => (headers[name] === undefined ? undefined : [headers[name]]),
    },
    { signedHeaders, payloadHash: sha256Hex(input.body) },
  );
  if (!canonical.ok) throw new TypeError(`cannot build the canonical request (${canonical.problem})`);
  const signature = signData(
    'sha256',
    Buffer.from(stringToSign(algorithm, amzDate, scope, canonical.value)),
    input.privateKey,
  ).toString('hex');
  headers.authorization =
    `${algorithm} Credential=${serial}/${scope.date}/${scope.region}/${scope.service}/aws4_request, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { url: url.toString(), headers, body: input.body };
}

/** CreateSession failed: the gateway's stable error code and its public detail. */
export class CreateSessionFailed extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, detail: string) {
    super(detail);
    this.name = 'CreateSessionFailed';
    this.code = code;
    this.status = status;
  }
}

/** Sends a signed CreateSession and returns AWS's `credentialSet` answer, or throws CreateSessionFailed. */
export async function requestSession(signed: SignedCreateSession): Promise<CreateSessionResponse> {
  const { host: _host, ...headers } = signed.headers;
  const response = await fetch(signed.url, { method: 'POST', headers, body: signed.body, redirect: 'error' });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const problem = (body ?? {}) as { code?: unknown; detail?: unknown };
    throw new CreateSessionFailed(
      typeof problem.code === 'string' ? problem.code : `HTTP${response.status}`,
      response.status,
      typeof problem.detail === 'string' ? problem.detail : 'CreateSession failed',
    );
  }
  const answer = body as Partial<CreateSessionResponse> | undefined;
  if (answer?.credentialSet?.[0]?.credentials === undefined)
    throw new CreateSessionFailed('InvalidResponse', response.status, 'The answer has no credentialSet');
  return answer as CreateSessionResponse;
}
