import { OAuthError } from './oauth-error.js';

/**
 * The scope of the exchanged token. Without a request: what both the client and the subject have (undefined
 * when neither is scoped). With one: every requested scope must be one the client may request and, when the
 * subject is scoped, one the subject has; anything wider is `invalid_scope`.
 */
export function narrowScope(
  requested: readonly string[] | undefined,
  clientScopes: readonly string[] | undefined,
  subjectScopes: readonly string[] | undefined,
): readonly string[] | undefined {
  if (requested === undefined) {
    if (clientScopes === undefined) return undefined;
    const granted =
      subjectScopes === undefined ? [...clientScopes] : clientScopes.filter((s) => subjectScopes.includes(s));
    return granted.length === 0 ? undefined : granted;
  }
  for (const scope of requested) {
    if (clientScopes === undefined || !clientScopes.includes(scope))
      throw new OAuthError('invalid_scope', 'The client may not request this scope.', {
        reason: 'ScopeNotAllowedForClient',
      });
    if (subjectScopes !== undefined && !subjectScopes.includes(scope))
      throw new OAuthError('invalid_scope', 'The requested scope exceeds the subject token scope.', {
        reason: 'ScopeWiderThanSubject',
      });
  }
  return requested;
}
