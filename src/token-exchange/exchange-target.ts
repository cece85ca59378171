import type { RegisteredClient } from './client-registry.js';
import { OAuthError } from './oauth-error.js';
import { ISSUABLE_TOKEN_TYPES, TOKEN_TYPE } from './token-types.js';

/**
 * The one audience the exchanged token is for: the requested `audience`/`resource` (the same value if both are
 * given), or the client's only audience when none is requested. `invalid_target` for an audience the client may
 * not request, several different targets (one token names one audience), or a `resource` that is not an absolute
 * URI without fragment (RFC 8707 §2); `invalid_request` when the client has several audiences and names none.
 */
export function chooseAudience(targets: readonly string[], client: RegisteredClient): string {
  const distinct = [...new Set(targets)];
  if (distinct.length === 0) {
    if (client.audiences.length === 1) return client.audiences[0] as string;
    throw new OAuthError('invalid_request', 'The audience parameter is required.', {
      reason: 'MissingParameter',
    });
  }
  if (distinct.length > 1)
    throw new OAuthError('invalid_target', 'A token is issued for one audience at a time.', {
      reason: 'MultipleTargets',
    });
  const audience = distinct[0] as string;
  if (!client.audiences.includes(audience))
    throw new OAuthError('invalid_target', 'The client may not request a token for this audience.', {
      reason: 'AudienceNotAllowed',
    });
  return audience;
}

/** Checks that every `resource` value is an absolute URI without a fragment (RFC 8707 §2). */
export function checkResourceSyntax(resources: readonly string[]): void {
  for (const resource of resources) {
    let url: URL | undefined;
    try {
      url = new URL(resource);
    } catch {
      url = undefined;
    }
    if (url === undefined || resource.includes('#'))
      throw new OAuthError(
        'invalid_target',
        'The resource parameter must be an absolute URI without a fragment.',
        {
          reason: 'MalformedResource',
        },
      );
  }
}

/** The `issued_token_type`: the requested one if fedgate can issue it, else `access_token`. `invalid_request` otherwise. */
export function issuedTokenType(requested: string | undefined): string {
  if (requested === undefined) return TOKEN_TYPE.accessToken;
  if (!ISSUABLE_TOKEN_TYPES.includes(requested))
    throw new OAuthError('invalid_request', 'The requested_token_type is not supported.', {
      reason: 'UnsupportedRequestedTokenType',
    });
  return requested;
}

/** The ARN token exchanges are authorized on: `arn:<partition>:sts::<account>:audience/<audience>`. */
export function audienceArn(partition: string, account: string, audience: string): string {
  return `arn:${partition}:sts::${account}:audience/${audience}`;
}
