import type { IncomingHttpHeaders } from 'node:http';
import {
  EMPTY_PAYLOAD_SHA256,
  UNSIGNED_PAYLOAD,
  type PathCanonicalisation,
  type PayloadHashes,
  type SignableRequest,
  type SignatureParameters,
} from '../sigv4/index.js';
import type { OriginalRequest } from './original-request.js';
import type { SigV4PayloadMode } from './route-table.js';

/**
 * The original request as a SigV4 signature covers it: the method, path and raw query the proxy reported in its
 * trusted header family, `host` as the proxy reported it (the host decided on), and every other signed header as
 * the proxy forwarded it to the authorizer. A header the proxy did not forward is missing, and the signature fails.
 */
export function signableOriginalRequest(
  request: OriginalRequest,
  headers: IncomingHttpHeaders,
): SignableRequest {
  return {
    method: request.method,
    path: request.path,
    query: request.rawQuery,
    header: (name) => {
      if (name === 'host') return request.host === '' ? undefined : [request.host];
      const value = headers[name];
      if (value === undefined) return undefined;
      return Array.isArray(value) ? value : [value];
    },
  };
}

/** S3 signs the path as sent; every other service (and the SDKs signing for it) normalises it first. */
export function pathCanonicalisationOf(params: SignatureParameters): PathCanonicalisation {
  return params.scope.service === 's3' ? 'as-sent' : 'normalise-and-encode';
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The payload hashes a signature may cover on a route, or why the route refuses the declaration. */
export type PayloadDeclaration =
  | { readonly ok: true; readonly payload: PayloadHashes }
  | {
      readonly ok: false;
      readonly reason: 'IncompleteSignature' | 'PayloadSigningNotAccepted';
      readonly message: string;
    };

/**
 * Forward auth never sees the body, so the signature is verified over the payload hash the request declares:
 * `x-amz-content-sha256` as sent; without it, a header-signed request is verified over the empty body's hash and
 * a presigned URL over `UNSIGNED-PAYLOAD` (or the empty body's hash), as the SDKs sign them. The route's
 * `sigv4Payload` then says which declarations it accepts.
 */
export function payloadDeclaration(
  params: SignatureParameters,
  declared: string | string[] | undefined,
  mode: SigV4PayloadMode,
): PayloadDeclaration {
  if (Array.isArray(declared) || (declared !== undefined && declared.includes(',')))
    return {
      ok: false,
      reason: 'IncompleteSignature',
      message: 'The request signature is incomplete or malformed: more than one x-amz-content-sha256 header.',
    };
  const value = declared?.trim();
  if (value !== undefined && value !== UNSIGNED_PAYLOAD && !HEX_SHA256.test(value))
    return refuse('x-amz-content-sha256 must be a lowercase hex SHA-256 or UNSIGNED-PAYLOAD here.');
  if (mode === 'unsigned') {
    if (value === UNSIGNED_PAYLOAD || (value === undefined && params.form === 'query'))
      return accept([UNSIGNED_PAYLOAD]);
    return refuse('This route requires x-amz-content-sha256: UNSIGNED-PAYLOAD.');
  }
  if (value === UNSIGNED_PAYLOAD) {
    return mode === 'signed'
      ? refuse('This route does not accept UNSIGNED-PAYLOAD: sign the payload hash.')
      : accept([UNSIGNED_PAYLOAD]);
  }
  if (value !== undefined) return accept([value]);
  if (params.form === 'query' && mode === 'any') return accept([UNSIGNED_PAYLOAD, EMPTY_PAYLOAD_SHA256]);
  return accept([EMPTY_PAYLOAD_SHA256]);
}

function accept(candidates: readonly string[]): PayloadDeclaration {
  return { ok: true, payload: { candidates } };
}

function refuse(message: string): PayloadDeclaration {
  return { ok: false, reason: 'PayloadSigningNotAccepted', message };
}
