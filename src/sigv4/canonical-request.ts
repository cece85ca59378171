import { hash } from 'node:crypto';
import { awsUriEncode, percentDecode } from './uri-encoding.js';

/**
 * The parts of an HTTP request that a SigV4-family signature covers, exactly as the client sent them.
 * `path` and `query` are raw (still percent-encoded); `header` looks a header up by lowercase name and
 * returns every value it arrived with, in order.
 */
export interface SignableRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly header: (lowercaseName: string) => readonly string[] | undefined;
}

/** How the path is canonicalised; S3 signs the path as sent, every other service normalises and re-encodes it. */
export type PathCanonicalisation = 'normalise-and-encode' | 'as-sent';

/** Hex SHA-256, the hash every AWS4-* algorithm uses for the canonical request and the payload. */
export function sha256Hex(data: string | Uint8Array): string {
  // One-shot hashing: several times cheaper than a Hash object, and this runs on every signed request.
  return hash('sha256', data, 'hex');
}

/** The payload hash of an empty body. */
export const EMPTY_PAYLOAD_SHA256 = sha256Hex('');

/** The payload hash a client uses when it does not sign the body. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-]+)+\/?$|^\/$/;

/**
 * The canonical URI. For all services but S3, AWS removes empty, `.` and `..` segments and URI-encodes the
 * (already encoded) path once more, keeping `/`; the AWS SDKs and botocore do the same.
 */
export function canonicalUri(path: string, mode: PathCanonicalisation = 'normalise-and-encode'): string {
  if (path === '') return '/';
  if (mode === 'as-sent') return path;
  // Unreserved characters only, no dot and no empty segment: normalising and encoding change nothing.
  if (PLAIN_PATH.test(path)) return path;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const leading = path.startsWith('/') ? '/' : '';
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return awsUriEncode(`${leading}${segments.join('/')}${trailing}`).replace(/%2F/g, '/');
}

/**
 * The canonical query string: each name and value decoded and URI-encoded again, sorted by name then value,
 * without `X-Amz-Signature` (a presigned URL's own signature). `undefined` when a name or value has a
 * malformed percent-escape.
 */
export function canonicalQueryString(query: string): string | undefined {
  if (query === '') return '';
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const name = percentDecode(rawName);
    const value = percentDecode(rawValue);
    if (name === undefined || value === undefined) return undefined;
    if (name === 'X-Amz-Signature') continue;
    pairs.push([awsUriEncode(name), awsUriEncode(value)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header value as SigV4 canonicalises it: trimmed, runs of spaces collapsed, several values joined by `,`. */
export function canonicalHeaderValue(values: readonly string[]): string {
  // Most values (dates, tokens, hashes) have no whitespace at all: nothing to trim or collapse.
  if (values.length === 1 && !/\s/.test(values[0] as string)) return values[0] as string;
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/**
 * The canonical headers block (`name:value\n` per signed header, in the order given, which must already be
 * sorted). `undefined` when a signed header is absent from the request.
 */
export function canonicalHeaders(
  request: SignableRequest,
  signedHeaders: readonly string[],
): string | undefined {
  let out = '';
  for (const name of signedHeaders) {
    const values = request.header(name);
    if (values === undefined) return undefined;
    out += `${name}:${canonicalHeaderValue(values)}\n`;
  }
  return out;
}

/** Inputs of a canonical request beyond the HTTP request itself. */
export interface CanonicalRequestOptions {
  /** Lowercase, sorted signed header names. */
  readonly signedHeaders: readonly string[];
  /** The payload hash the client signed (hex SHA-256, or `UNSIGNED-PAYLOAD`). */
  readonly payloadHash: string;
  readonly pathCanonicalisation?: PathCanonicalisation;
}

/** Why a canonical request could not be built: a signed header is missing, or the query has a bad escape. */
export type CanonicalRequestProblem = 'SignedHeaderMissing' | 'MalformedQuery';

/**
 * The SigV4 canonical request, shared by every AWS4-* algorithm (AWS4-HMAC-SHA256 and IAM Roles Anywhere's
 * AWS4-X509-RSA-SHA256 / AWS4-X509-ECDSA-SHA256):
 * method, canonical URI, canonical query, canonical headers, signed header list, payload hash.
 */
export function canonicalRequest(
  request: SignableRequest,
  options: CanonicalRequestOptions,
):
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly problem: CanonicalRequestProblem } {
  const query = canonicalQueryString(request.query);
  if (query === undefined) return { ok: false, problem: 'MalformedQuery' };
  const headers = canonicalHeaders(request, options.signedHeaders);
  if (headers === undefined) return { ok: false, problem: 'SignedHeaderMissing' };
  const value = [
    request.method.toUpperCase(),
    canonicalUri(request.path, options.pathCanonicalisation),
    query,
    headers,
    options.signedHeaders.join(';'),
    options.payloadHash,
  ].join('\n');
  return { ok: true, value };
}
