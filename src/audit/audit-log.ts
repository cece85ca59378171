import type { Writable } from 'node:stream';
import type { AuditEvent, AuditRecord, AuditSink } from './audit-events.js';
import { auditLine } from './audit-line.js';
import { scrubAuditRecord } from './audit-scrubber.js';

/** Records audit events to every configured sink; the clock is injected. */
export class AuditLog {
  readonly #sinks: readonly AuditSink[];
  readonly #now: () => number;

  constructor(sinks: readonly AuditSink[], now: () => number = Date.now) {
    this.#sinks = sinks;
    this.#now = now;
  }

  /**
   * Writes one event to every sink, scrubbed of anything that looks like a token, assertion or key; a
   * failing sink never breaks the request that produced the event.
   */
  record(event: AuditEvent): void {
    const record = scrubAuditRecord({ ...event, time: new Date(this.#now()).toISOString() });
    for (const sink of this.#sinks) {
      try {
        sink.write(record);
      } catch {
        // An audit sink failure must not turn into a request failure; the sink reports its own errors.
      }
    }
  }

  /** Flushes and closes the sinks. */
  async close(): Promise<void> {
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
