import type { Writable } from 'node:stream';
import type { AuditEvent, AuditEventOf, AuditRecord, AuditSink } from './audit-events.js';
import { auditLine } from './audit-line.js';
import { scrubAuditRecord } from './audit-scrubber.js';
import { DEFAULT_REFUSAL_WINDOW_MS, RefusalAggregator } from './refusal-aggregator.js';

/** Options of AuditLog. */
export interface AuditLogOptions {
  /**
   * Window over which the refusals given to `count` are counted per source and reason (RefusalAggregator);
   * 0 writes each one. Default DEFAULT_REFUSAL_WINDOW_MS.
   */
  readonly refusalWindowMs?: number;
}

/** Records audit events to every configured sink; the clock is injected. */
export class AuditLog {
  readonly #sinks: readonly AuditSink[];
  readonly #now: () => number;
  readonly #refusals: RefusalAggregator | undefined;

  constructor(sinks: readonly AuditSink[], now: () => number = Date.now, options: AuditLogOptions = {}) {
    this.#sinks = sinks;
    this.#now = now;
    const windowMs = options.refusalWindowMs ?? DEFAULT_REFUSAL_WINDOW_MS;
    this.#refusals =
      windowMs > 0 ? new RefusalAggregator({ windowMs, write: (event) => this.#write(event) }) : undefined;
  }

  /**
   * Writes one event to every sink, scrubbed of anything that looks like a token, assertion or key; a
   * failing sink never breaks the request that produced the event.
   */
  record(event: AuditEvent): void {
    this.#write(event);
  }

  /**
   * Counts a refusal anyone can send by the thousand (an invalid credential at `/authz`, as the authorizer's
   * outcome table says) per source and reason over the window instead of writing each (see RefusalAggregator).
   */
  count(event: AuditEventOf<'authz.denied'>): void {
    if (this.#refusals === undefined) this.#write(event);
    else this.#refusals.offer(event);
  }

  #write(event: AuditEvent): void {
    const record = scrubAuditRecord({ ...event, time: new Date(this.#now()).toISOString() });
    for (const sink of this.#sinks) {
      try {
        sink.write(record);
      } catch {
        // An audit sink failure must not turn into a request failure; the sink reports its own errors.
      }
    }
  }

  /** Writes the pending refusal counts, then flushes and closes the sinks. */
  async close(): Promise<void> {
    this.#refusals?.flush();
    await Promise.all(this.#sinks.map((sink) => sink.close?.()));
  }
}

/** A sink writing one JSON line per event to a stream (stdout or a file). */
export function streamAuditSink(stream: Writable): AuditSink {
  return {
    write(record) {
      stream.write(auditLine(record));
    },
  };
}

/** A sink keeping events in memory (tests and `GET` introspection). */
export function memoryAuditSink(): AuditSink & { readonly records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return {
    records,
    write(record) {
      records.push(record);
    },
  };
}
