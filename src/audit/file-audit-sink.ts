import { createWriteStream } from 'node:fs';
import type { AuditSink } from './audit-events.js';
import { auditLine } from './audit-line.js';

/** Default cap on bytes waiting for the disk: beyond it new events are dropped and counted. */
const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Options of createFileAuditSink. */
export interface FileAuditSinkOptions {
  /** Bytes waiting for the disk beyond which events are dropped (default 8 MiB). */
  readonly maxBufferedBytes?: number;
  /** Write and open failures (disk full, permissions); the sink keeps going without them. */
  readonly onError?: (error: Error) => void;
}

/** A file audit sink: its losses are counted and it can be flushed. */
export interface FileAuditSink extends AuditSink {
  /** Events not written: dropped while the disk lagged, or refused after a write error. */
  readonly dropped: number;
  /** Resolves once every event written so far has reached the file (or failed). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Appends one JSON line per event to `path` (created 0600 when missing). Never blocks or throws into the
 * request: a slow disk costs memory only up to `maxBufferedBytes`, after which events are dropped and
 * counted; a failed file is reported once through `onError` and later events are counted as dropped.
 */
export function createFileAuditSink(path: string, options: FileAuditSinkOptions = {}): FileAuditSink {
  if (typeof path !== 'string' || path === '') throw new TypeError('path is required');
  const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  let failed = false;
  let closing: Promise<void> | undefined;
  let dropped = 0;
  stream.on('error', (error) => {
    if (!failed) options.onError?.(error);
    failed = true;
  });

  return {
    get dropped() {
      return dropped;
    },
    write(record) {
      if (failed || closing !== undefined || stream.writableLength > maxBuffered) {
        dropped += 1;
        return;
      }
      stream.write(auditLine(record));
    },
    flush() {
      if (failed || stream.writableEnded) return Promise.resolve();
      // Writes complete in order: the callback of an empty write fires after every earlier one.
      return new Promise((resolve) => stream.write('', () => resolve()));
    },
    close() {
      closing ??= new Promise((resolve) => {
        if (stream.destroyed) {
          resolve();
          return;
        }
        stream.once('close', () => resolve());
        stream.end();
      });
      return closing;
    },
  };
}
