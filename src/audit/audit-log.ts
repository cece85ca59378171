import type { Writable } from 'node:stream';
import type { AuditEvent, AuditRecord, AuditSink } from './audit-events.js';
import { auditLine } from './audit-line.js';
import { scrubAuditRecord } from './audit-scrubber.js';
import { DEFAULT_REFUSAL_WINDOW_MS, isCredentialRefusal, RefusalAggregator } from './refusal-aggregator.js';

/** Options of AuditLog. */
export interface AuditLogOptions {
  /**
   * Window over which refusals of invalid credentials at `/authz` are counted per source and reason
   * (RefusalAggregator); 0 writes each one. Default DEFAULT_REFUSAL_WINDOW_MS.
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
   * failing sink never breaks the request that produced the event. Refusals of invalid credentials at
   * `/authz` are counted per source and reason instead (see RefusalAggregator).
   */
  record(event: AuditEvent): void {
    if (this.#refusals !== undefined && isCredentialRefusal(event)) this.#refusals.offer(event);
    else this.#write(event);
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
