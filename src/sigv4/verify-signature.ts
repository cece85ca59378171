import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { canonicalRequest, type PathCanonicalisation, type SignableRequest } from './canonical-request.js';
import type { SignatureParameters } from './signed-request.js';
import { AWS4_HMAC_SHA256, hmacSignature } from './signing-key.js';
import { sigv4Refusal, type SigV4Refusal } from './sigv4-refusal.js';
import { stringToSign } from './string-to-sign.js';

/** Which regions and services a verifier accepts in a credential scope; `undefined` accepts any. */
export interface ScopeAllowList {
  readonly regions?: readonly string[] | undefined;
  readonly services?: readonly string[] | undefined;
}

/** The allow-list of configured region and service names, where `*` accepts any (config `sigv4`). */
export function scopeAllowListOf(names: {
  readonly regions: readonly string[];
  readonly services: readonly string[];
}): ScopeAllowList {
  return {
    ...(names.regions.includes('*') ? {} : { regions: [...names.regions] }),
    ...(names.services.includes('*') ? {} : { services: [...names.services] }),
  };
}

/** Refuses a scope whose region or service is not on the allow-list. */
export function checkScopeAllowed(
  params: SignatureParameters,
  allow: ScopeAllowList,
): SigV4Refusal | undefined {
  if (allow.regions !== undefined && !allow.regions.includes(params.scope.region))
    return sigv4Refusal('SignatureDoesNotMatch', 'Credential should be scoped to a valid region.');
  if (allow.services !== undefined && !allow.services.includes(params.scope.service))
    return sigv4Refusal('SignatureDoesNotMatch', 'Credential should be scoped to a valid service.');
  return undefined;
}

/** What the verifier knows about the payload. */
export interface PayloadHashes {
  /**
   * The payload hashes the signature may have been computed over, tried in order: the `x-amz-content-sha256`
   * header when sent, else the body's hash when the verifier has the body; `UNSIGNED-PAYLOAD` (which botocore
   * uses for presigned URLs) only where the verifier accepts an unsigned body.
   */
  readonly candidates: readonly string[];
}

function hexEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Verifies an AWS4-HMAC-SHA256 signature with a derived signing key: rebuilds the canonical request from the
 * request as sent and compares signatures in constant time. Time and scope checks are separate
 * (`checkRequestTime`, `checkScopeAllowed`).
 */
export function verifyHmacSignature(
  request: SignableRequest,
  params: SignatureParameters,
  signingKey: Uint8Array | KeyObject,
  payload: PayloadHashes,
  pathCanonicalisation?: PathCanonicalisation,
): SigV4Refusal | undefined {
  if (params.algorithm !== AWS4_HMAC_SHA256)
    return sigv4Refusal(
      'IncompleteSignature',
      `The request signature is incomplete or malformed: only ${AWS4_HMAC_SHA256} is accepted.`,
    );
  for (const payloadHash of payload.candidates) {
    const canonical = canonicalRequest(request, {
      signedHeaders: params.signedHeaders,
      payloadHash,
      ...(pathCanonicalisation === undefined ? {} : { pathCanonicalisation }),
    });
    if (!canonical.ok)
      return sigv4Refusal(
        canonical.problem === 'SignedHeaderMissing' ? 'SignatureDoesNotMatch' : 'IncompleteSignature',
        canonical.problem === 'SignedHeaderMissing'
          ? 'A header listed in SignedHeaders is not in the request.'
          : 'The request signature is incomplete or malformed: the query has a malformed escape.',
      );
    const expected = hmacSignature(
      signingKey,
      stringToSign(params.algorithm, params.requestDateTime, params.scope, canonical.value),
    );
    if (hexEqual(expected, params.signature)) return undefined;
  }
  return sigv4Refusal(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
  );
}
