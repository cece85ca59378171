import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../audit/index.js';
import type { HashUpdate, Store } from '../store/index.js';
import {
  ACTION_OVERFLOW_FIELD,
  ASSUMED_FIELD,
  DAY_IN_MS,
  PROVIDERS_KEY,
  SESSIONS_FIELD,
  actionField,
  batchMarkerKey,
  dayKey,
  dayOf,
  lastSeenKey,
  resourceField,
  resourceOverflowField,
} from './activity-keys.js';
import type { ActivityRecorder } from './activity-recorder.js';

/** How the buffered recorder is set up (from `accessAnalysis` in the configuration). */
export interface BufferedActivityRecorderOptions {
  readonly store: Store;
  readonly retentionSeconds: number;
  readonly flushIntervalSeconds: number;
  readonly maxActionsPerRole: number;
  readonly maxResourcesPerAction: number;
  /** Where the first overflow of a cap is reported (`activity.capped`). */
  readonly audit?: { record(event: AuditEvent): void };
  /** Called when a flush fails (the activity stays buffered). */
  readonly onError?: (error: unknown) => void;
}

/** Counts and last-seen times of one outcome pair. */
class Tally {
  allowed = 0;
  denied = 0;
  lastAllowed = 0;
  lastDenied = 0;

  add(allowed: boolean, atMs: number): void {
    if (allowed) {
      this.allowed++;
      if (atMs > this.lastAllowed) this.lastAllowed = atMs;
    } else {
      this.denied++;
      if (atMs > this.lastDenied) this.lastDenied = atMs;
    }
  }
}

class ActionBuffer extends Tally {
  readonly resources = new Map<string, Tally>();
  resourceOverflow = 0;
}

class RoleDayBuffer {
  sessions = 0;
  lastAssumedMs = 0;
  lastAssumedBy = '';
  actionOverflow = 0;
  readonly actions = new Map<string, ActionBuffer>();
}

/** What one role was seen doing in this process: bounds the cardinality the caps speak of. */
interface RoleKnown {
  readonly actions: Map<string, Set<string>>;
  actionCapReported: boolean;
  readonly resourceCapReported: Set<string>;
}

/** Markers outlive any plausible retry of a batch whose reply was lost. */
const MARKER_TTL_MS = 7 * DAY_IN_MS;
/** Hash updates per atomic script: keeps one flush from blocking Redis for long. */
const UPDATES_PER_BATCH = 200;

/**
 * The activity record kept in the store: decisions are counted in memory (a few Map operations, never a
 * store call) and written in batches every `flushInterval` seconds, on `flush()` and on `close()`. A batch
 * the store refused is retried, under the same id, before anything newer, so an outage loses nothing and a
 * retry after a lost reply counts nothing twice; what arrives meanwhile keeps accumulating in memory.
 */
export class BufferedActivityRecorder implements ActivityRecorder {
  readonly #options: BufferedActivityRecorderOptions;
  /** day → role → buffer */
  #pending = new Map<string, Map<string, RoleDayBuffer>>();
  #pendingLogins = new Map<string, number>();
  #unsent: { id: string; updates: HashUpdate[] }[] = [];
  readonly #known = new Map<string, RoleKnown>();
  #dayStart = 0;
  #dayEnd = 0;
  #day = '';
  #flushing: Promise<void> | undefined;
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(options: BufferedActivityRecorderOptions) {
    this.#options = options;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalSeconds * 1000);
    this.#timer.unref();
  }

  recordAssumption(role: string, provider: string, subject: string, atMs: number): void {
    const buffer = this.#roleDay(role, atMs);
    buffer.sessions++;
    if (atMs >= buffer.lastAssumedMs) {
      buffer.lastAssumedMs = atMs;
      buffer.lastAssumedBy = `${provider}\t${subject}`;
    }
    this.recordLogin(provider, atMs);
  }

  recordLogin(provider: string, atMs: number): void {
    if (atMs > (this.#pendingLogins.get(provider) ?? 0)) this.#pendingLogins.set(provider, atMs);
  }

  recordDecision(role: string, action: string, resource: string, allowed: boolean, atMs: number): void {
    const buffer = this.#roleDay(role, atMs);
    let actionBuffer = buffer.actions.get(action);
    if (actionBuffer === undefined) {
      const known = this.#knownResources(role, action);
      if (known === undefined) {
        buffer.actionOverflow++;
        return;
      }
      actionBuffer = new ActionBuffer();
      buffer.actions.set(action, actionBuffer);
    }
    actionBuffer.add(allowed, atMs);
    let tally = actionBuffer.resources.get(resource);
    if (tally === undefined) {
      if (!this.#admitResource(role, action, resource)) {
        actionBuffer.resourceOverflow++;
        return;
      }
      tally = new Tally();
      actionBuffer.resources.set(resource, tally);
    }
    tally.add(allowed, atMs);
  }

  flush(): Promise<void> {
    // One flush at a time; a caller arriving during one waits for it and then runs its own.
    const previous = this.#flushing ?? Promise.resolve();
    const next = previous.then(() => this.#flushOnce());
    this.#flushing = next;
    void next.finally(() => {
      if (this.#flushing === next) this.#flushing = undefined;
    });
    return next;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }

  async #flushOnce(): Promise<void> {
    if (this.#pending.size > 0 || this.#pendingLogins.size > 0) {
      const updates = this.#drain();
      for (let i = 0; i < updates.length; i += UPDATES_PER_BATCH)
        this.#unsent.push({ id: randomUUID(), updates: updates.slice(i, i + UPDATES_PER_BATCH) });
    }
    while (this.#unsent.length > 0) {
      const batch = this.#unsent[0] as { id: string; updates: HashUpdate[] };
      try {
        await this.#options.store.updateHashes(batch.updates, {
          key: batchMarkerKey(batch.id),
          ttlMs: MARKER_TTL_MS,
        });
      } catch (error) {
        this.#options.onError?.(error);
        // While the store is down, new activity stays aggregated in memory rather than queued batch by batch.
        if (this.#unsent.length > 1) this.#merge();
        return;
      }
      this.#unsent.shift();
    }
  }

  /** Folds queued batches after the first back into memory (the first keeps its id: it may have been applied). */
  #merge(): void {
    const [first, ...rest] = this.#unsent;
    this.#unsent = first === undefined ? [] : [first];
    // The buffers were drained into `rest`; they are rebuilt as one combined batch at the end of the queue.
    const combined = combineUpdates(rest.flatMap((batch) => batch.updates));
    for (let i = 0; i < combined.length; i += UPDATES_PER_BATCH)
      this.#unsent.push({ id: randomUUID(), updates: combined.slice(i, i + UPDATES_PER_BATCH) });
  }

  #drain(): HashUpdate[] {
    const pending = this.#pending;
    const logins = this.#pendingLogins;
    this.#pending = new Map();
    this.#pendingLogins = new Map();
    const retentionMs = this.#options.retentionSeconds * 1000;
    const updates: HashUpdate[] = [];
    const last = new Map<string, Record<string, string>>();
    const lastOf = (role: string): Record<string, string> => {
      let fields = last.get(role);
      if (fields === undefined) {
        fields = {};
        last.set(role, fields);
      }
      return fields;
    };
    const keepMax = (fields: Record<string, string>, field: string, value: string): void => {
      const current = fields[field];
      if (current === undefined || current < value) fields[field] = value;
    };
    for (const [day, roles] of pending) {
      // A day's counters live `retention` past the end of that day.
      const dayTtl = Date.parse(`${day}T00:00:00.000Z`) + DAY_IN_MS + retentionMs - Date.now();
      for (const [role, buffer] of roles) {
        const increments: Record<string, number> = {};
        const maxima = lastOf(role);
        if (buffer.sessions > 0) {
          increments[SESSIONS_FIELD] = buffer.sessions;
          keepMax(maxima, ASSUMED_FIELD, `${iso(buffer.lastAssumedMs)}\t${buffer.lastAssumedBy}`);
        }
        if (buffer.actionOverflow > 0) increments[ACTION_OVERFLOW_FIELD] = buffer.actionOverflow;
        for (const [action, a] of buffer.actions) {
          addTally(increments, maxima, a, (outcome) => actionField(outcome, action), keepMax);
          if (a.resourceOverflow > 0) increments[resourceOverflowField(action)] = a.resourceOverflow;
          for (const [resource, r] of a.resources)
            addTally(increments, maxima, r, (outcome) => resourceField(outcome, action, resource), keepMax);
        }
        if (dayTtl > 0) updates.push({ key: dayKey(role, day), increments, ttlMs: dayTtl });
      }
    }
    for (const [role, maxima] of last) updates.push({ key: lastSeenKey(role), maxima, ttlMs: retentionMs });
    if (logins.size > 0) {
      const maxima: Record<string, string> = {};
      for (const [provider, atMs] of logins) maxima[provider] = iso(atMs);
      updates.push({ key: PROVIDERS_KEY, maxima, ttlMs: retentionMs });
    }
    return updates;
  }

  #roleDay(role: string, atMs: number): RoleDayBuffer {
    if (atMs < this.#dayStart || atMs >= this.#dayEnd) {
      this.#dayStart = Math.floor(atMs / DAY_IN_MS) * DAY_IN_MS;
      this.#dayEnd = this.#dayStart + DAY_IN_MS;
      this.#day = dayOf(atMs);
    }
    let roles = this.#pending.get(this.#day);
    if (roles === undefined) {
      roles = new Map();
      this.#pending.set(this.#day, roles);
    }
    let buffer = roles.get(role);
    if (buffer === undefined) {
      buffer = new RoleDayBuffer();
      roles.set(role, buffer);
    }
    return buffer;
  }

  /** The resource groups seen for a known action, undefined when the role's action cap refuses a new one. */
  #knownResources(role: string, action: string): Set<string> | undefined {
    let known = this.#known.get(role);
    if (known === undefined) {
      known = { actions: new Map(), actionCapReported: false, resourceCapReported: new Set() };
      this.#known.set(role, known);
    }
    let resources = known.actions.get(action);
    if (resources !== undefined) return resources;
    if (known.actions.size >= this.#options.maxActionsPerRole) {
      if (!known.actionCapReported) {
        known.actionCapReported = true;
        this.#reportCap(role, 'maxActionsPerRole', this.#options.maxActionsPerRole);
      }
      return undefined;
    }
    resources = new Set();
    known.actions.set(action, resources);
    return resources;
  }

  #admitResource(role: string, action: string, resource: string): boolean {
    const known = this.#known.get(role);
    const resources = known?.actions.get(action);
    if (known === undefined || resources === undefined) return false;
    if (resources.has(resource)) return true;
    if (resources.size >= this.#options.maxResourcesPerAction) {
      if (!known.resourceCapReported.has(action)) {
        known.resourceCapReported.add(action);
        this.#reportCap(role, 'maxResourcesPerAction', this.#options.maxResourcesPerAction, action);
      }
      return false;
    }
    resources.add(resource);
    return true;
  }

  #reportCap(
    role: string,
    cap: 'maxActionsPerRole' | 'maxResourcesPerAction',
    limit: number,
    action?: string,
  ): void {
    this.#options.audit?.record({
      event: 'activity.capped',
      outcome: 'failure',
      role,
      reason: cap,
      details: { limit, ...(action === undefined ? {} : { action }) },
    });
  }
}

function addTally(
  increments: Record<string, number>,
  maxima: Record<string, string>,
  tally: Tally,
  field: (outcome: 'allow' | 'deny') => string,
  keepMax: (fields: Record<string, string>, field: string, value: string) => void,
): void {
  if (tally.allowed > 0) {
    const name = field('allow');
    increments[name] = tally.allowed;
    keepMax(maxima, name, iso(tally.lastAllowed));
  }
  if (tally.denied > 0) {
    const name = field('deny');
    increments[name] = tally.denied;
    keepMax(maxima, name, iso(tally.lastDenied));
  }
}

/** Merges updates of the same key: counters add, maxima keep the greatest, the longest TTL wins. */
function combineUpdates(updates: readonly HashUpdate[]): HashUpdate[] {
  const byKey = new Map<
    string,
    { increments: Record<string, number>; maxima: Record<string, string>; ttlMs: number }
  >();
  for (const update of updates) {
    let merged = byKey.get(update.key);
    if (merged === undefined) {
      merged = { increments: {}, maxima: {}, ttlMs: update.ttlMs };
      byKey.set(update.key, merged);
    }
    for (const [field, amount] of Object.entries(update.increments ?? {}))
      merged.increments[field] = (merged.increments[field] ?? 0) + amount;
    for (const [field, value] of Object.entries(update.maxima ?? {})) {
      const current = merged.maxima[field];
      if (current === undefined || current < value) merged.maxima[field] = value;
    }
    if (update.ttlMs > merged.ttlMs) merged.ttlMs = update.ttlMs;
  }
  return [...byKey].map(([key, merged]) => ({ key, ...merged }));
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
