import { resolve } from 'node:path';
import { formatSourceLocation, inspectConfig, type Finding, type FindingSeverity } from '../config/index.js';
import { ExitCode, type CommandHandler } from './cli-io.js';
import { configPathFrom, parseCommandArgs } from './parse-command-args.js';

const HELP = `Usage: fedgate validate [--config FILE] [--json]

Loads the configuration, validates it and every policy in it, and prints each
finding (error, security-warning, warning, suggestion) with its JSON path.

Options:
  --config FILE  configuration file (default: $FEDGATE_CONFIG, then config/gateway.yaml)
  --json         print one JSON object instead of text
  -h, --help     show this help

Exit codes: 0 valid (warnings allowed), 1 any error, 2 usage.`;

const SEVERITIES: readonly FindingSeverity[] = ['error', 'security-warning', 'warning', 'suggestion'];

/** `fedgate validate`: every schema problem and policy finding with its path; exit 1 on any error. */
export const validateCommand: CommandHandler = async (args, io) => {
  const parsed = parseCommandArgs<{ config?: string; json?: boolean }>(
    args,
    { config: { type: 'string', short: 'c' }, json: { type: 'boolean' } },
    HELP,
    io,
  );
  if (!parsed.ok) return parsed.exitCode;
  if (parsed.positionals.length > 0) {
    io.stderr.write(`unexpected argument: ${parsed.positionals[0]}\n\n${HELP}\n`);
    return ExitCode.Usage;
  }
  const configPath = configPathFrom(parsed.values.config, io);
  const inspection = await inspectConfig(resolve(io.cwd, configPath), io.env);
  const findings: Finding[] = [
    ...inspection.issues.map((issue) => ({
      severity: 'error' as const,
      code: 'InvalidConfiguration',
      path: issue.path,
      message: issue.message,
      ...(issue.location === undefined ? {} : { location: issue.location }),
    })),
    ...inspection.findings,
  ];
  const counts = Object.fromEntries(
    SEVERITIES.map((severity) => [severity, findings.filter((f) => f.severity === severity).length]),
  ) as Record<FindingSeverity, number>;
  const valid = counts.error === 0;

  if (parsed.values.json === true) {
    const summary = {
      errors: counts.error,
      securityWarnings: counts['security-warning'],
      warnings: counts.warning,
      suggestions: counts.suggestion,
    };
    const located = findings.map(({ location, ...finding }) =>
      location === undefined
        ? finding
        : {
            ...finding,
            location: { ...location, file: formatSourceLocation({ file: location.file }, io.cwd) },
          },
    );
    io.stdout.write(`${JSON.stringify({ config: configPath, valid, findings: located, summary })}\n`);
  } else {
    for (const finding of findings) {
      const at = finding.location === undefined ? '' : `${formatSourceLocation(finding.location, io.cwd)}: `;
      const where = finding.path === '' ? '' : `${finding.path}: `;
      io.stdout.write(`${finding.severity} ${at}${where}${finding.message} [${finding.code}]\n`);
    }
    io.stdout.write(`${configPath}: ${valid ? 'valid' : 'invalid'}; ${summaryText(counts)}\n`);
  }
  return valid ? ExitCode.Ok : ExitCode.Invalid;
};

function summaryText(counts: Record<FindingSeverity, number>): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    plural(counts.error, 'error'),
    plural(counts['security-warning'], 'security warning'),
    plural(counts.warning, 'warning'),
    plural(counts.suggestion, 'suggestion'),
  ].join(', ');
}
