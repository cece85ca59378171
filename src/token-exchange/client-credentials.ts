import { OAuthError } from './oauth-error.js';
import { singleParameter } from './token-request.js';
import { JWT_BEARER_ASSERTION_TYPE } from './token-types.js';

/** The client authentication methods of the token endpoint (advertised in the discovery document). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** What a request presents to authenticate its client; exactly one method per request (RFC 6749 §2.3). */
export type ClientCredentials =
  | {
      readonly method: 'client_secret_basic' | 'client_secret_post';
      readonly clientId: string;
      readonly secret: string;
    }
  | { readonly method: 'private_key_jwt'; readonly clientId?: string; readonly assertion: string };

const MAX_ASSERTION_LENGTH = 8 * 1024;

/**
 * The client credentials of a request: HTTP Basic, `client_id` + `client_secret` in the body, or an RFC 7523
 * `client_assertion`. `invalid_request` when more than one method is used, `invalid_client` when none is or
 * the Basic header is malformed.
 */
export function clientCredentialsOf(
  body: Readonly<Record<string, unknown>>,
  authorization: string | undefined,
): ClientCredentials {
  const basic = authorization === undefined ? undefined : basicCredentials(authorization);
  const bodyClientId = singleParameter(body, 'client_id');
  const bodySecret = singleParameter(body, 'client_secret');
  const assertionType = singleParameter(body, 'client_assertion_type');
  const assertion = singleParameter(body, 'client_assertion');

  const methods = [
    basic !== undefined,
    bodySecret !== undefined,
    assertion !== undefined || assertionType !== undefined,
  ];
  if (methods.filter(Boolean).length > 1)
    throw new OAuthError('invalid_request', 'Use exactly one client authentication method.', {
      reason: 'MultipleClientAuthentication',
    });

  if (basic !== undefined) {
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId)
      throw new OAuthError('invalid_request', 'client_id does not match the authenticated client.', {
        reason: 'ClientIdMismatch',
      });
    return { method: 'client_secret_basic', ...basic };
  }
  if (bodySecret !== undefined) {
    if (bodyClientId === undefined)
      throw new OAuthError('invalid_request', 'client_secret needs client_id.', {
        reason: 'MissingParameter',
      });
    return { method: 'client_secret_post', clientId: bodyClientId, secret: bodySecret };
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE || assertion === undefined)
      throw new OAuthError(
        'invalid_request',
        `client_assertion must come with client_assertion_type ${JWT_BEARER_ASSERTION_TYPE}.`,
        { reason: 'MalformedClientAssertion' },
      );
    if (assertion.length > MAX_ASSERTION_LENGTH)
      throw new OAuthError('invalid_client', 'Client authentication failed.', {
        reason: 'MalformedClientAssertion',
      });
    return {
      method: 'private_key_jwt',
      assertion,
      ...(bodyClientId === undefined ? {} : { clientId: bodyClientId }),
    };
  }
  throw new OAuthError('invalid_client', 'Client authentication is required.', {
    reason: 'NoClientAuthentication',
  });
}

/**
 * RFC 6749 §2.3.1: `Basic base64(urlencode(id) ":" urlencode(secret))`. undefined for another scheme (a
 * bearer header is not client authentication); invalid_client for a malformed Basic value.
 */
function basicCredentials(header: string): { clientId: string; secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/=_-]+) *$/i.exec(header);
  if (match === null) {
    if (/^Basic\b/i.test(header)) throw malformedBasic();
    return undefined;
  }
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw malformedBasic();
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (clientId === '' || secret === '') throw malformedBasic();
  return { clientId, secret };
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw malformedBasic();
  }
}

function malformedBasic(): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed.', {
    reason: 'MalformedBasicCredentials',
  });
}
