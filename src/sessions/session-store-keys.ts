/**
 * Where the sessions domain keeps things in the store (the adapter adds the configured prefix).
 * Free-form parts (names, subjects, provider ids) are URI-encoded so a `:` in them cannot forge another key,
 * and a `{` or `}` cannot forge a hash tag. A session's record and its revocation marker share the hash tag
 * `{<id>}`: on a Redis Cluster they live in one slot, so they are written together atomically.
 */

const part = encodeURIComponent;

/** The session record, TTL = token lifetime. */
export function sessionKey(id: string): string {
  return `session:{${part(id)}}`;
}

/** Marker of a revoked single session, kept for the session's remaining lifetime. */
export function revokedSessionKey(id: string): string {
  return `revoked:session:{${part(id)}}`;
}

/** Sessions of the role issued before the stored epoch second are revoked. */
export function revokedRoleKey(roleName: string): string {
  return `revoked:role:${part(roleName)}`;
}

/** Sessions of the subject (from any provider when `provider` is undefined) issued at or before the stored epoch second are revoked. */
export function revokedSubjectKey(subject: string, provider: string | undefined): string {
  return provider === undefined
    ? `revoked:subject-any:${part(subject)}`
    : `revoked:subject:${part(provider)}:${part(subject)}`;
}

/** Marker of a signed-out portal session: no role session may be minted from it any more. */
export function revokedPortalKey(portalSessionId: string): string {
  return `revoked:portal:${part(portalSessionId)}`;
}

/** Index set: ids of every live session (each member expires with its session). */
export const ALL_SESSIONS_INDEX = 'sessions-index:all';

/** Index set: ids of the role's sessions. */
export function roleIndexKey(roleName: string): string {
  return `sessions-index:role:${part(roleName)}`;
}

/** Index set: ids of the federated subject's sessions. */
export function subjectIndexKey(subject: string): string {
  return `sessions-index:subject:${part(subject)}`;
}

/** Index set: ids of the role sessions minted from a portal session. */
export function portalIndexKey(portalSessionId: string): string {
  return `sessions-index:portal:${part(portalSessionId)}`;
}
