import { pino, type Logger, type DestinationStream } from 'pino';

/** Header and field paths that may carry credentials; pino replaces them before anything is written. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-fedgate-assertion"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.token',
  '*.SessionToken',
  '*.SecretAccessKey',
  '*.SAMLResponse',
  '*.SAMLAssertion',
  '*.WebIdentityToken',
  '*.subject_token',
  '*.actor_token',
  '*.client_secret',
  '*.client_assertion',
  '*.password',
  '*.privateKey',
];

/** Options of the process logger. */
export interface LoggerOptions {
  /** The pino level; the gateway passes its configuration's `log.level` (config/ alone reads the environment). */
  readonly level?: string;
  readonly destination?: DestinationStream;
}

/** The process logger: JSON lines, credentials redacted at the source. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'fedgate' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/** An error as a log field: its name and message only (no stack, no properties that might hold a request value). */
export function errorForLog(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'unknown', message: String(error) };
}

export type { Logger };
