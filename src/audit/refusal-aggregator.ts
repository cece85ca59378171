import type { AuditEventOf } from './audit-events.js';

type AuthzDenied = AuditEventOf<'authz.denied'>;

/** The default window over which refusals of invalid credentials from one source are counted on one line. */
export const DEFAULT_REFUSAL_WINDOW_MS = 10_000;

/** At most this many (source, reason) pairs are counted apart in one window; the rest share one line. */
export const MAX_AGGREGATED_SOURCES = 10_000;

interface Tally {
  readonly sample: AuthzDenied;
  count: number;
}

/**
 * Counts credential refusals per source address and reason over a short window. The first refusal of a
 * (source, reason) in a window is written as it comes (with its request id and path); the others of that
 * window become one line at the window's end with `details.aggregated: true` and `details.count`, so the
 * counts of all lines add up to the number of refusals. Memory is bounded: past MAX_AGGREGATED_SOURCES
 * pairs in one window, further sources share one line without a source address.
 */
export class RefusalAggregator {
  readonly #windowMs: number;
  readonly #write: (event: AuthzDenied) => void;
  #tallies = new Map<string, Tally>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { readonly windowMs: number; readonly write: (event: AuthzDenied) => void }) {
    this.#windowMs = options.windowMs;
    this.#write = options.write;
  }

  /** Takes a credential refusal: writes it now when it opens its (source, reason) window, else counts it. */
  offer(event: AuthzDenied): void {
    let key = `${event.sourceIp ?? ''}\u0000${event.reason}`;
    if (!this.#tallies.has(key) && this.#tallies.size >= MAX_AGGREGATED_SOURCES)
      key = `*\u0000${event.reason}`;
    const tally = this.#tallies.get(key);
    if (tally !== undefined) {
      tally.count += 1;
      return;
    }
    const overflow = key.startsWith('*\u0000');
    this.#tallies.set(key, { sample: overflow ? withoutSource(event) : event, count: overflow ? 1 : 0 });
    if (!overflow) this.#write(event);
    this.#timer ??= setTimeout(() => this.flush(), this.#windowMs);
    this.#timer.unref();
  }

  /** Writes the count lines of the current window and starts a new one (also on close). */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const tallies = this.#tallies;
    this.#tallies = new Map();
    for (const { sample, count } of tallies.values()) {
      if (count === 0) continue;
      this.#write({
        event: sample.event,
        outcome: sample.outcome,
        ...(sample.sourceIp === undefined ? {} : { sourceIp: sample.sourceIp }),
        reason: sample.reason,
        details: { aggregated: true, count, windowSeconds: this.#windowMs / 1000 },
      });
    }
  }
}

function withoutSource(event: AuthzDenied): AuthzDenied {
  const { sourceIp: _sourceIp, ...rest } = event;
  return rest;
}
