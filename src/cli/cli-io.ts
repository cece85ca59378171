import type { Readable, Writable } from 'node:stream';

/** The streams a command reads and writes; injected so commands are testable in-process. */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Exit codes of SPEC section 2. */
export const ExitCode = { Ok: 0, Invalid: 1, Usage: 2 } as const;

/** One `fedgate` sub-command: parses its own arguments and returns its exit code. */
export type CommandHandler = (args: readonly string[], io: CliIo) => Promise<number>;
