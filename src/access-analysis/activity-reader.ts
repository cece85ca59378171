import type { Store } from '../store/index.js';
import { DAY_IN_MS, PROVIDERS_KEY, dayKey, daysEndingAt, lastSeenKey, parseField } from './activity-keys.js';

/** Counts within the window, last-seen times within the retention (ISO, null when never). */
export interface Tallies {
  readonly allowed: number;
  readonly denied: number;
  readonly lastAllowed: string | null;
  readonly lastDenied: string | null;
}

/** One resource group of an action. */
export interface ResourceActivity extends Tallies {
  readonly resource: string;
}

/** One action of a role. */
export interface ActionActivity extends Tallies {
  readonly action: string;
  readonly resources: readonly ResourceActivity[];
  /** Decisions of this action not recorded per resource (the resource cap was reached). */
  readonly resourceOverflow: number;
}

/** One UTC day of a role. */
export interface DayActivity {
  readonly day: string;
  readonly sessions: number;
  readonly allowed: number;
  readonly denied: number;
}

/** Who last assumed a role, and when. */
export interface LastAssumption {
  readonly at: string;
  readonly provider: string;
  readonly subject: string;
}

/** What one role did. */
export interface RoleActivity {
  readonly role: string;
  readonly lastAssumed: LastAssumption | null;
  /** Sessions issued within the window. */
  readonly sessions: number;
  /** Every day of the window, oldest first (zeros included, for charts). */
  readonly days: readonly DayActivity[];
  /** Actions seen within the retention, by name. */
  readonly actions: readonly ActionActivity[];
  /** Decisions not recorded per action (the role's action cap was reached) within the window. */
  readonly actionOverflow: number;
}

/** The activity of several roles over a window of days ending today. */
export interface ActivityWindow {
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly roles: readonly RoleActivity[];
  /** Last login per identity provider seen within the retention. */
  readonly providerLogins: ReadonlyMap<string, string>;
}

interface MutableTallies {
  allowed: number;
  denied: number;
  lastAllowed: string | null;
  lastDenied: string | null;
}

/** Reads the activity of `roles` over the `days` days ending with the day of `nowMs`. */
export async function readActivity(
  store: Store,
  roles: readonly string[],
  nowMs: number,
  days: number,
): Promise<ActivityWindow> {
  const window = daysEndingAt(nowMs, days);
  const keys = [PROVIDERS_KEY];
  for (const role of roles) {
    keys.push(lastSeenKey(role));
    for (const day of window) keys.push(dayKey(role, day));
  }
  const hashes = await store.readHashes(keys);
  const providerLogins = new Map(Object.entries(hashes[0] ?? {}));
  const out: RoleActivity[] = [];
  let at = 1;
  for (const role of roles) {
    const last = hashes[at++] ?? {};
    const actions = new Map<
      string,
      MutableTallies & { resources: Map<string, MutableTallies>; resourceOverflow: number }
    >();
    const actionOf = (action: string) => {
      let entry = actions.get(action);
      if (entry === undefined) {
        entry = { ...emptyTallies(), resources: new Map(), resourceOverflow: 0 };
        actions.set(action, entry);
      }
      return entry;
    };
    const resourceOf = (action: string, resource: string): MutableTallies => {
      const resources = actionOf(action).resources;
      let entry = resources.get(resource);
      if (entry === undefined) {
        entry = emptyTallies();
        resources.set(resource, entry);
      }
      return entry;
    };
    let lastAssumed: LastAssumption | null = null;
    for (const [field, value] of Object.entries(last)) {
      const parsed = parseField(field);
      if (parsed.kind === 'assumed') {
        const [time = '', provider = '', subject = ''] = value.split('\t');
        lastAssumed = { at: time, provider, subject };
      } else if (parsed.kind === 'action') {
        const entry = actionOf(parsed.action);
        if (parsed.outcome === 'allow') entry.lastAllowed = value;
        else entry.lastDenied = value;
      } else if (parsed.kind === 'resource') {
        const entry = resourceOf(parsed.action, parsed.resource);
        if (parsed.outcome === 'allow') entry.lastAllowed = value;
        else entry.lastDenied = value;
      }
    }
    let sessions = 0;
    let actionOverflow = 0;
    const dayRows: DayActivity[] = [];
    for (const day of window) {
      const hash = hashes[at++] ?? {};
      const row = { day, sessions: 0, allowed: 0, denied: 0 };
      for (const [field, value] of Object.entries(hash)) {
        const count = Number(value);
        const parsed = parseField(field);
        if (parsed.kind === 'sessions') row.sessions += count;
        else if (parsed.kind === 'action') {
          const entry = actionOf(parsed.action);
          if (parsed.outcome === 'allow') {
            entry.allowed += count;
            row.allowed += count;
          } else {
            entry.denied += count;
            row.denied += count;
          }
        } else if (parsed.kind === 'resource') {
          const entry = resourceOf(parsed.action, parsed.resource);
          if (parsed.outcome === 'allow') entry.allowed += count;
          else entry.denied += count;
        } else if (parsed.kind === 'overflow') {
          if (parsed.action === undefined) actionOverflow += count;
          else actionOf(parsed.action).resourceOverflow += count;
        }
      }
      sessions += row.sessions;
      dayRows.push(row);
    }
    out.push({
      role,
      lastAssumed,
      sessions,
      days: dayRows,
      actionOverflow,
      actions: [...actions.entries()]
        .sort(([a], [b]) => compare(a, b))
        .map(([action, entry]) => ({
          action,
          allowed: entry.allowed,
          denied: entry.denied,
          lastAllowed: entry.lastAllowed,
          lastDenied: entry.lastDenied,
          resourceOverflow: entry.resourceOverflow,
          resources: [...entry.resources.entries()]
            .sort(([a], [b]) => compare(a, b))
            .map(([resource, tallies]) => ({ resource, ...tallies })),
        })),
    });
  }
  return { from: window[0] ?? '', to: window[window.length - 1] ?? '', days, roles: out, providerLogins };
}

/** True when an ISO time is within the `days` days ending with the day of `nowMs` (the report window). */
export function withinDays(time: string | null, nowMs: number, days: number): boolean {
  if (time === null) return false;
  const start = (Math.floor(nowMs / DAY_IN_MS) - days + 1) * DAY_IN_MS;
  return Date.parse(time) >= start;
}

function emptyTallies(): MutableTallies {
  return { allowed: 0, denied: 0, lastAllowed: null, lastDenied: null };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
