import type { RoleSession } from './role-session.js';

/** A revocation, as announced to every instance (SPEC 6.4). `issuedBefore` is epoch seconds. */
export type RevocationEvent =
  | { readonly kind: 'session'; readonly id: string }
  | { readonly kind: 'role'; readonly roleName: string; readonly issuedBefore: number }
  | { readonly kind: 'subject'; readonly subject: string; readonly provider?: string }
  | { readonly kind: 'portal'; readonly portalSessionId: string };

/** The pub/sub channel revocations travel on. */
export const REVOCATION_CHANNEL = 'revocations';

/** Parses a message from the channel; undefined for anything that is not a well-formed event. */
export function parseRevocationEvent(message: string): RevocationEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  switch (v['kind']) {
    case 'session':
      return typeof v['id'] === 'string' ? { kind: 'session', id: v['id'] } : undefined;
    case 'role':
      return typeof v['roleName'] === 'string' && Number.isFinite(v['issuedBefore'])
        ? { kind: 'role', roleName: v['roleName'], issuedBefore: v['issuedBefore'] as number }
        : undefined;
    case 'subject':
      if (typeof v['subject'] !== 'string') return undefined;
      if (v['provider'] === undefined) return { kind: 'subject', subject: v['subject'] };
      return typeof v['provider'] === 'string'
        ? { kind: 'subject', subject: v['subject'], provider: v['provider'] }
        : undefined;
    case 'portal':
      return typeof v['portalSessionId'] === 'string'
        ? { kind: 'portal', portalSessionId: v['portalSessionId'] }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * True when the event may revoke the session, directly or through one of its ancestors (chaining, exchange,
 * delegation). Generous on purpose: caches evict on it and re-verify against the store, which decides exactly.
 */
export function revocationTouches(
  event: RevocationEvent,
  session: Pick<RoleSession, 'id' | 'roleName' | 'subject' | 'portalSessionId' | 'ancestors'>,
): boolean {
  const lineage = [session, ...(session.ancestors ?? [])];
  switch (event.kind) {
    case 'session':
      return lineage.some((s) => s.id === event.id);
    case 'role':
      return lineage.some((s) => s.roleName === event.roleName);
    case 'subject':
      return lineage.some((s) => s.subject === event.subject);
    case 'portal':
      return session.portalSessionId === event.portalSessionId;
  }
}
