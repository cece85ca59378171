import { OAuthError } from './oauth-error.js';
import { isAcceptedTokenType, TOKEN_EXCHANGE_GRANT_TYPE, type AcceptedTokenType } from './token-types.js';

/** A token endpoint request as the HTTP layer hands it over. */
export interface TokenEndpointInput {
  /** The form body; a repeated parameter arrives as an array. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The `Authorization` header, if any. */
  readonly authorization?: string | undefined;
}

/** A presented token and its declared RFC 8693 type. */
export interface PresentedToken {
  readonly token: string;
  readonly type: AcceptedTokenType;
}

/** The RFC 8693 §2.1 parameters of a token exchange request, checked for presence and shape only. */
export interface TokenExchangeParameters {
  readonly subject: PresentedToken;
  readonly actor?: PresentedToken;
  /** `audience` and `resource` values, in that order (one target is supported). */
  readonly targets: readonly string[];
  /** Space-separated `scope`, split; undefined when absent. */
  readonly scope?: readonly string[];
  readonly requestedTokenType?: string;
  /** fedgate extension: the role a provider JWT should be exchanged into (name or ARN). */
  readonly role?: string;
}

/** Longest token accepted in a parameter: well above a 4 KB session credential or a large ID token. */
const MAX_TOKEN_LENGTH = 16 * 1024;
/** RFC 6749 §3.3 scope-token characters. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * One parameter's value: RFC 6749 §3.1 treats an empty value as absent and §3.2 forbids repeating a parameter.
 * InvalidRequest for a repeated or non-string value.
 */
export function singleParameter(body: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === '') return undefined;
  if (Array.isArray(value))
    throw new OAuthError('invalid_request', `The ${name} parameter must not be repeated.`, {
      reason: 'RepeatedParameter',
    });
  if (typeof value !== 'string')
    throw new OAuthError('invalid_request', `The ${name} parameter is malformed.`, {
      reason: 'MalformedParameter',
    });
  return value;
}

/** Every value of a parameter RFC 8693 lets repeat (`audience`, `resource`), empty values dropped. */
export function repeatableParameter(body: Readonly<Record<string, unknown>>, name: string): string[] {
  const value = body[name];
  const values = Array.isArray(value) ? (value as unknown[]) : value === undefined ? [] : [value];
  if (!values.every((item) => typeof item === 'string'))
    throw new OAuthError('invalid_request', `The ${name} parameter is malformed.`, {
      reason: 'MalformedParameter',
    });
  return (values as string[]).filter((item) => item !== '');
}

/** Refuses anything but the token exchange grant: `invalid_request` when absent, `unsupported_grant_type` otherwise. */
export function checkGrantType(body: Readonly<Record<string, unknown>>): void {
  const grantType = singleParameter(body, 'grant_type');
  if (grantType === undefined)
    throw new OAuthError('invalid_request', 'The grant_type parameter is required.', {
      reason: 'MissingParameter',
    });
  if (grantType !== TOKEN_EXCHANGE_GRANT_TYPE)
    throw new OAuthError('unsupported_grant_type', `Only ${TOKEN_EXCHANGE_GRANT_TYPE} is supported.`, {
      reason: 'UnsupportedGrantType',
    });
}

/** Reads the exchange parameters; `invalid_request` for a missing, repeated or malformed one. */
export function readExchangeParameters(body: Readonly<Record<string, unknown>>): TokenExchangeParameters {
  const subject = presentedToken(body, 'subject_token', 'subject_token_type');
  if (subject === undefined)
    throw new OAuthError(
      'invalid_request',
      'The subject_token and subject_token_type parameters are required.',
      {
        reason: 'MissingParameter',
      },
    );
  const actor = presentedToken(body, 'actor_token', 'actor_token_type');
  const scope = singleParameter(body, 'scope');
  const requestedTokenType = singleParameter(body, 'requested_token_type');
  const role = singleParameter(body, 'role');
  return {
    subject,
    ...(actor === undefined ? {} : { actor }),
    targets: [...repeatableParameter(body, 'audience'), ...repeatableParameter(body, 'resource')],
    ...(scope === undefined ? {} : { scope: parseScope(scope) }),
    ...(requestedTokenType === undefined ? {} : { requestedTokenType }),
    ...(role === undefined ? {} : { role }),
  };
}

function presentedToken(
  body: Readonly<Record<string, unknown>>,
  tokenName: string,
  typeName: string,
): PresentedToken | undefined {
  const token = singleParameter(body, tokenName);
  const type = singleParameter(body, typeName);
  if (token === undefined && type === undefined) return undefined;
  // RFC 8693 §2.1: actor_token_type is REQUIRED with actor_token and MUST NOT appear without it.
  if (token === undefined || type === undefined)
    throw new OAuthError('invalid_request', `The ${tokenName} and ${typeName} parameters go together.`, {
      reason: 'MissingParameter',
    });
  if (token.length > MAX_TOKEN_LENGTH)
    throw new OAuthError('invalid_request', `The ${tokenName} is too large.`, {
      reason: 'MalformedParameter',
    });
  if (!isAcceptedTokenType(type))
    throw new OAuthError('invalid_request', `The ${typeName} is not supported.`, {
      reason: 'UnsupportedTokenType',
    });
  return { token, type };
}

function parseScope(scope: string): string[] {
  const tokens = scope.split(' ').filter((token) => token !== '');
  if (tokens.length === 0 || !tokens.every((token) => SCOPE_TOKEN.test(token)))
    throw new OAuthError('invalid_request', 'The scope parameter is malformed.', {
      reason: 'MalformedParameter',
    });
  return [...new Set(tokens)];
}
