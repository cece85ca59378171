/** RFC 8693 §2.1: the grant type of a token exchange request. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 7523 §2.2: the client assertion type of `private_key_jwt`. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 8693 §3 token type identifiers fedgate understands. */
export const TOKEN_TYPE = Object.freeze({
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
} as const);

/** One of the token types fedgate accepts as a subject or actor token. */
export type AcceptedTokenType = (typeof TOKEN_TYPE)[keyof typeof TOKEN_TYPE];

/** True when `value` is a token type fedgate accepts for a subject or actor token. */
export function isAcceptedTokenType(value: string): value is AcceptedTokenType {
  return (Object.values(TOKEN_TYPE) as string[]).includes(value);
}

/** Token types an exchanged token can be issued as: both name the same fedgate session JWT. */
export const ISSUABLE_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE.accessToken, TOKEN_TYPE.jwt];
