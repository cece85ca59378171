/**
 * Where activity lives in the store. Every key shares the `{activity}` hash tag, so that one flush is a single
 * atomic script even on a Redis cluster. Field names of the per-role hashes are JSON arrays, so that actions
 * and resources may contain any character.
 */

/** Retried-batch markers and per-role hashes all live under this tag. */
const TAG = '{activity}';

/** Last login per identity provider: field = provider id, value = ISO time. */
export const PROVIDERS_KEY = `${TAG}:providers`;

/** Last-seen times of one role: `assumed` and one field per outcome × action (× resource group). */
export function lastSeenKey(role: string): string {
  return `${TAG}:last:${role}`;
}

/** Counters of one role on one UTC day (`YYYY-MM-DD`). */
export function dayKey(role: string, day: string): string {
  return `${TAG}:day:${role}:${day}`;
}

/** The marker of one flushed batch (its retry is skipped once it exists). */
export function batchMarkerKey(id: string): string {
  return `${TAG}:batch:${id}`;
}

/** The field of the role's sessions counter in a day hash. */
export const SESSIONS_FIELD = 'sessions';
/** The field of the role's last assumption in its last-seen hash: `ISO<TAB>provider<TAB>subject`. */
export const ASSUMED_FIELD = 'assumed';

/** Whether a decision allowed or denied. */
export type Outcome = 'allow' | 'deny';

/** The field of an action's counter or last-seen time. */
export function actionField(outcome: Outcome, action: string): string {
  return JSON.stringify([outcome, action]);
}

/** The field of an action-on-resource-group counter or last-seen time. */
export function resourceField(outcome: Outcome, action: string, resource: string): string {
  return JSON.stringify([outcome, action, resource]);
}

/** The field counting decisions not recorded per action (the role's action cap was reached). */
export const ACTION_OVERFLOW_FIELD = JSON.stringify(['overflow']);

/** The field counting decisions of an action not recorded per resource (its resource cap was reached). */
export function resourceOverflowField(action: string): string {
  return JSON.stringify(['overflow', action]);
}

/** A parsed field of a role hash. */
export type ActivityField =
  | { readonly kind: 'sessions' }
  | { readonly kind: 'assumed' }
  | { readonly kind: 'action'; readonly outcome: Outcome; readonly action: string }
  | {
      readonly kind: 'resource';
      readonly outcome: Outcome;
      readonly action: string;
      readonly resource: string;
    }
  | { readonly kind: 'overflow'; readonly action?: string }
  | { readonly kind: 'unknown' };

/** Parses a field name written by this module; anything else is `unknown` (ignored by readers). */
export function parseField(field: string): ActivityField {
  if (field === SESSIONS_FIELD) return { kind: 'sessions' };
  if (field === ASSUMED_FIELD) return { kind: 'assumed' };
  if (!field.startsWith('[')) return { kind: 'unknown' };
  let parts: unknown;
  try {
    parts = JSON.parse(field);
  } catch {
    return { kind: 'unknown' };
  }
  if (!Array.isArray(parts) || !parts.every((part) => typeof part === 'string')) return { kind: 'unknown' };
  const [head, action, resource] = parts as string[];
  if (head === 'overflow') return action === undefined ? { kind: 'overflow' } : { kind: 'overflow', action };
  if ((head !== 'allow' && head !== 'deny') || action === undefined) return { kind: 'unknown' };
  if (resource === undefined) return { kind: 'action', outcome: head, action };
  return { kind: 'resource', outcome: head, action, resource };
}

const DAY_MS = 86_400_000;

/** The UTC day (`YYYY-MM-DD`) of an epoch-millisecond time. */
export function dayOf(epochMs: number): string {
  return new Date(Math.floor(epochMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC days of the window of `days` days ending with the day of `nowMs`, oldest first. */
export function daysEndingAt(nowMs: number, days: number): string[] {
  const today = Math.floor(nowMs / DAY_MS);
  const out: string[] = [];
  for (let d = today - days + 1; d <= today; d++) out.push(new Date(d * DAY_MS).toISOString().slice(0, 10));
  return out;
}

/** Milliseconds in a day. */
export const DAY_IN_MS = DAY_MS;
