/**
 * Every gateway the test suite starts logs at `trace` into a capture folder (and its audit records go there too);
 * after the whole run, `test/support/suite-secret-scan.ts` searches every captured line for credentials.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import type { AuditSink } from '../../src/audit/index.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';

/** The folder the run's captures go to; the global setup sets it for every worker. */
export function captureDir(): string {
  return process.env['FEDGATE_SUITE_CAPTURE_DIR'] ?? join(tmpdir(), 'fedgate-suite-capture');
}

function captureFile(kind: 'log' | 'audit'): string {
  const dir = captureDir();
  mkdirSync(dir, { recursive: true });
  return join(dir, `${process.pid}-${kind}.jsonl`);
}

/** A pino destination appending to this worker's capture file (synchronously: a worker may exit at any time). */
function captureDestination(): DestinationStream {
  const file = captureFile('log');
  return { write: (line: string) => appendFileSync(file, line) };
}

/** The logger test gateways use: everything, at trace level, into the capture. */
export function suiteLogger(): Logger {
  return createLogger({ level: 'trace', destination: captureDestination() });
}

/** An audit sink writing every record into the capture. */
export function suiteAuditSink(): AuditSink {
  const file = captureFile('audit');
  return { write: (record) => appendFileSync(file, `${JSON.stringify(record)}\n`) };
}
