/**
 * The JWS algorithms fedgate accepts on tokens it did not sign (ID tokens, web-identity tokens, client
 * assertions): asymmetric only. `none` and HMAC (`HS*`) are absent on purpose: HMAC keyed with a provider's
 * public key is the classic key-confusion forgery, and an HMAC client assertion would need the client secret here.
 */
export const ASYMMETRIC_JWS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
