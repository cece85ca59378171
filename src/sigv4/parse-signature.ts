import type { SignableRequest } from './canonical-request.js';
import { parseCredentialScope } from './credential-scope.js';
import { percentDecode } from './uri-encoding.js';
import type { SignatureParameters } from './signed-request.js';
import { sigv4Refusal, type SigV4Refusal } from './sigv4-refusal.js';

/** The longest presigned URL lifetime AWS accepts: seven days. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

const ALGORITHM = /^AWS4-[A-Z0-9-]{1,40}$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;
const SIGNATURE = /^[0-9a-f]{64,1024}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
const MAX_SIGNED_HEADERS = 64;

/** The outcome of parsing: parameters, a refusal, or `absent` when the request carries no AWS4 signature. */
export type ParsedSignature =
  { readonly ok: true; readonly value: SignatureParameters } | SigV4Refusal | { readonly ok: 'absent' };

function single(request: SignableRequest, name: string): string | undefined {
  const values = request.header(name);
  return values?.length === 1 ? values[0] : undefined;
}

function parseSignedHeaders(list: string): readonly string[] | undefined {
  const names = list.split(';');
  if (names.length === 0 || names.length > MAX_SIGNED_HEADERS) return undefined;
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i] as string;
    if (!HEADER_NAME.test(name)) return undefined;
    if (i > 0 && (names[i - 1] as string) >= name) return undefined;
  }
  if (!names.includes('host')) return undefined;
  return names;
}

const incomplete = (what: string): SigV4Refusal =>
  sigv4Refusal('IncompleteSignature', `The request signature is incomplete or malformed: ${what}.`);

/**
 * Parses `Authorization: <AWS4-*> Credential=…, SignedHeaders=…, Signature=…` with `X-Amz-Date` and the
 * optional `X-Amz-Security-Token` header. `absent` when there is no Authorization header starting `AWS4-`.
 */
export function parseAuthorizationHeader(request: SignableRequest): ParsedSignature {
  const values = request.header('authorization');
  if (values === undefined || values.length === 0) return { ok: 'absent' };
  if (values.length > 1) return incomplete('more than one Authorization header');
  const header = (values[0] as string).trim();
  const space = header.indexOf(' ');
  const algorithm = space === -1 ? header : header.slice(0, space);
  if (!algorithm.startsWith('AWS4-')) return { ok: 'absent' };
  if (!ALGORITHM.test(algorithm) || space === -1)
    return incomplete('the Authorization header has no parameters');
  const params = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const item = part.trim();
    const eq = item.indexOf('=');
    if (eq <= 0) return incomplete('an Authorization parameter is not name=value');
    const name = item.slice(0, eq);
    if (params.has(name)) return incomplete('an Authorization parameter is repeated');
    params.set(name, item.slice(eq + 1));
  }
  const credential = params.get('Credential');
  const signedHeaderList = params.get('SignedHeaders');
  const signature = params.get('Signature');
  if (credential === undefined || signedHeaderList === undefined || signature === undefined)
    return incomplete('Credential, SignedHeaders and Signature are all required');
  const scope = parseCredentialScope(credential);
  if (scope === undefined)
    return incomplete('the Credential is not <key>/<date>/<region>/<service>/aws4_request');
  const signedHeaders = parseSignedHeaders(signedHeaderList);
  if (signedHeaders === undefined)
    return incomplete('SignedHeaders must be sorted lowercase header names including host');
  if (!SIGNATURE.test(signature)) return incomplete('the Signature is not lowercase hex');
  const requestDateTime = single(request, 'x-amz-date');
  if (requestDateTime === undefined || !AMZ_DATE.test(requestDateTime))
    return incomplete('an X-Amz-Date header in YYYYMMDDTHHMMSSZ form is required');
  const tokens = request.header('x-amz-security-token');
  if (tokens !== undefined && tokens.length !== 1)
    return incomplete('more than one X-Amz-Security-Token header');
  return {
    ok: true,
    value: {
      form: 'header',
      algorithm,
      scope,
      signedHeaders,
      signature,
      requestDateTime,
      securityToken: tokens?.[0],
      expiresSeconds: undefined,
    },
  };
}

const PRESIGN_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
] as const;

/**
 * Parses a presigned URL's `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
 * `X-Amz-SignedHeaders`, `X-Amz-Signature` and optional `X-Amz-Security-Token`. `absent` when the query has
 * no `X-Amz-Algorithm`.
 */
export function parsePresignedQuery(query: string): ParsedSignature {
  const found = new Map<string, string>();
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    if (!(PRESIGN_PARAMETERS as readonly string[]).includes(name)) continue;
    if (found.has(name)) return incomplete('a presigned-URL parameter is repeated');
    const value = percentDecode(eq === -1 ? '' : part.slice(eq + 1));
    if (value === undefined) return incomplete('a presigned-URL parameter has a malformed escape');
    found.set(name, value);
  }
  const algorithm = found.get('X-Amz-Algorithm');
  if (algorithm === undefined) return { ok: 'absent' };
  if (!ALGORITHM.test(algorithm)) return incomplete('X-Amz-Algorithm is not an AWS4 algorithm');
  const credential = found.get('X-Amz-Credential');
  const requestDateTime = found.get('X-Amz-Date');
  const expires = found.get('X-Amz-Expires');
  const signedHeaderList = found.get('X-Amz-SignedHeaders');
  const signature = found.get('X-Amz-Signature');
  if (
    credential === undefined ||
    requestDateTime === undefined ||
    expires === undefined ||
    signedHeaderList === undefined ||
    signature === undefined
  )
    return incomplete(
      'X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature are all required',
    );
  const scope = parseCredentialScope(credential);
  if (scope === undefined)
    return incomplete('X-Amz-Credential is not <key>/<date>/<region>/<service>/aws4_request');
  if (!AMZ_DATE.test(requestDateTime)) return incomplete('X-Amz-Date is not in YYYYMMDDTHHMMSSZ form');
  if (!/^\d{1,6}$/.test(expires)) return incomplete('X-Amz-Expires is not a number of seconds');
  const expiresSeconds = Number(expires);
  if (expiresSeconds < 1 || expiresSeconds > MAX_PRESIGNED_EXPIRES_SECONDS)
    return incomplete(`X-Amz-Expires must be between 1 and ${MAX_PRESIGNED_EXPIRES_SECONDS} seconds`);
  const signedHeaders = parseSignedHeaders(signedHeaderList);
  if (signedHeaders === undefined)
    return incomplete('X-Amz-SignedHeaders must be sorted lowercase header names including host');
  if (!SIGNATURE.test(signature)) return incomplete('X-Amz-Signature is not lowercase hex');
  return {
    ok: true,
    value: {
      form: 'query',
      algorithm,
      scope,
      signedHeaders,
      signature,
      requestDateTime,
      securityToken: found.get('X-Amz-Security-Token'),
      expiresSeconds,
    },
  };
}

/**
 * The request's signature parameters from either form. A request that carries both an AWS4 Authorization
 * header and a presigned query is refused, as AWS does.
 */
export function parseSignature(request: SignableRequest): ParsedSignature {
  const header = parseAuthorizationHeader(request);
  const query = request.query.includes('X-Amz-')
    ? parsePresignedQuery(request.query)
    : ({ ok: 'absent' } as const);
  if (header.ok !== 'absent' && query.ok !== 'absent')
    return incomplete('a request is signed either in the Authorization header or in the query, not both');
  return header.ok === 'absent' ? query : header;
}
