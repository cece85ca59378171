import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIo } from './cli-io.js';

/** Result of parsing a command's arguments: the values, or a usage error already printed. */
export type ParsedArgs<T> = { ok: true; values: T; positionals: string[] } | { ok: false; exitCode: number };

/**
 * Parses arguments with node:util parseArgs; prints `help` for --help (exit 0) and the error plus help on
 * a usage error (exit 2).
 */
export function parseCommandArgs<T>(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  help: string,
  io: CliIo,
): ParsedArgs<T> {
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help === true) {
      io.stdout.write(help.endsWith('\n') ? help : `${help}\n`);
      return { ok: false, exitCode: 0 };
    }
    return { ok: true, values: parsed.values as T, positionals: parsed.positionals };
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${help}\n`);
    return { ok: false, exitCode: 2 };
  }
}

/** The config path: --config, then $FEDGATE_CONFIG, then config/gateway.yaml. */
export function configPathFrom(flag: string | undefined, io: CliIo): string {
  return flag ?? io.env.FEDGATE_CONFIG ?? 'config/gateway.yaml';
}
