import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean } from '../text/closest-match.js';
import type { CliIo } from './cli-io.js';

/** Result of parsing a command's arguments: the values, or a usage error already printed. */
export type ParsedArgs<T> = { ok: true; values: T; positionals: string[] } | { ok: false; exitCode: number };

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses arguments with node:util parseArgs; prints `help` for --help (exit 0), and on a usage error a
 * message of our own (never Node's parser text), with a "did you mean" for a misspelt option, followed by
 * the help (exit 2).
 */
export function parseCommandArgs<T>(
  args: readonly string[],
  options: OptionSpecs,
  help: string,
  io: CliIo,
): ParsedArgs<T> {
  const specs: OptionSpecs = { ...options, help: { type: 'boolean', short: 'h' } };
  const parsed = parseArgs({
    args: [...args],
    options: specs,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const problem = usageProblem(parsed.tokens, specs);
  if (problem !== undefined) {
    io.stderr.write(`${problem}\n\n${help}${help.endsWith('\n') ? '' : '\n'}`);
    return { ok: false, exitCode: 2 };
  }
  if (parsed.values.help === true) {
    io.stdout.write(help.endsWith('\n') ? help : `${help}\n`);
    return { ok: false, exitCode: 0 };
  }
  return { ok: true, values: parsed.values as T, positionals: parsed.positionals };
}

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

function usageProblem(tokens: readonly Token[], specs: OptionSpecs): string | undefined {
  const known = Object.keys(specs).map((name) => `--${name}`);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = specs[token.name];
    if (spec === undefined) {
      // Only the option's name is shown: never a value the person typed after `=`.
      const name = token.rawName.split('=')[0] ?? token.rawName;
      return `unknown option ${name}.${didYouMean(name, known)}`;
    }
    if (spec.type === 'string' && token.value === undefined) return `option --${token.name} needs a value`;
    if (spec.type === 'boolean' && token.inlineValue === true) return `option --${token.name} takes no value`;
  }
  return undefined;
}

/** The config path: --config, then $FEDGATE_CONFIG, then config/gateway.yaml. */
export function configPathFrom(flag: string | undefined, io: CliIo): string {
  return flag ?? io.env.FEDGATE_CONFIG ?? 'config/gateway.yaml';
}
