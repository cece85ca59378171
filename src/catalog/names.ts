/**
 * The name of a role, provider, managed policy, client or trust anchor: `[A-Za-z0-9+=,.@_-]{1,64}` (SPEC 3, as
 * IAM names roles). The one definition every parser of such a name uses.
 */
export const NAME_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,64}$/;

/** What NAME_PATTERN accepts, for messages. */
export const NAME_PATTERN_TEXT = '[A-Za-z0-9+=,.@_-]{1,64}';

/**
 * The gateway's OAuth endpoints: mounted by `http/`, named by the discovery documents, called by the CLI's
 * own OAuth client (`fedgate login`, `credentials`, `logout`).
 */
export const OAUTH_PATHS = {
  token: '/oauth2/token',
  revocation: '/oauth2/revoke',
  introspection: '/oauth2/introspect',
  deviceAuthorization: '/oauth2/device_authorization',
} as const;
