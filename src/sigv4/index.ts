export {
  canonicalHeaderValue,
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  EMPTY_PAYLOAD_SHA256,
  sha256Hex,
  UNSIGNED_PAYLOAD,
  type CanonicalRequestOptions,
  type CanonicalRequestProblem,
  type PathCanonicalisation,
  type SignableRequest,
} from './canonical-request.js';
export {
  parseCredentialScope,
  scopeString,
  SCOPE_TERMINATOR,
  type CredentialScope,
} from './credential-scope.js';
export {
  MAX_PRESIGNED_EXPIRES_SECONDS,
  parseAuthorizationHeader,
  parsePresignedQuery,
  parseSignature,
  type ParsedSignature,
} from './parse-signature.js';
export { checkRequestTime, DEFAULT_CLOCK_SKEW_SECONDS, formatAmzDate, parseAmzDate } from './request-time.js';
export type { SignatureForm, SignatureParameters } from './signed-request.js';
export { AWS4_HMAC_SHA256, deriveSigningKey, hmacSignature, SigningKeyCache } from './signing-key.js';
export { sigv4Refusal, type SigV4Refusal, type SigV4RefusalReason } from './sigv4-refusal.js';
export { stringToSign } from './string-to-sign.js';
export { awsUriEncode, percentDecode } from './uri-encoding.js';
export {
  checkScopeAllowed,
  scopeAllowListOf,
  verifyHmacSignature,
  type PayloadHashes,
  type ScopeAllowList,
} from './verify-signature.js';
