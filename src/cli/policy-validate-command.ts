import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  isPolicyDocumentError,
  parseJsonText,
  validatePolicy,
  type PolicyFinding,
  type PolicyKind,
} from '../policy/index.js';
import { jsonPositions, nearestPosition, type SourcePosition } from '../config/source-location.js';
import { ExitCode, type CommandHandler } from './cli-io.js';
import { parseCommandArgs } from './parse-command-args.js';

const KINDS: readonly PolicyKind[] = ['identity', 'boundary', 'session', 'guardrail', 'resource', 'trust'];

const HELP = `Usage: fedgate policy validate FILE... [--kind KIND] [--json]

Validates policy documents (JSON) the way Access Analyzer does: errors, security warnings, warnings and
suggestions, each with its JSON path and its line and column (FILE:LINE:COLUMN). Every error of a statement
is reported, not only the first.
  --kind KIND   identity (default), boundary, session, guardrail, resource or trust
  --json        one JSON object per file instead of text
Exit codes: 0 no errors (warnings allowed), 1 any error or unreadable file, 2 usage.`;

/** `fedgate policy validate`: Access-Analyzer-style findings for policy files. */
export const policyValidateCommand: CommandHandler = async (args, io) => {
  const parsed = parseCommandArgs<{ kind?: string; json?: boolean }>(
    args,
    { kind: { type: 'string' }, json: { type: 'boolean' } },
    HELP,
    io,
  );
  if (!parsed.ok) return parsed.exitCode;
  const kind = (parsed.values.kind ?? 'identity') as PolicyKind;
  if (!KINDS.includes(kind) || parsed.positionals.length === 0) {
    io.stderr.write(
      `${parsed.positionals.length === 0 ? 'give at least one FILE' : `unknown --kind ${kind}`}\n\n${HELP}\n`,
    );
    return ExitCode.Usage;
  }
  let failed = false;
  for (const file of parsed.positionals) {
    const findings = await findingsFor(resolve(io.cwd, file), kind);
    if (findings.some((finding) => finding.severity === 'error')) failed = true;
    if (parsed.values.json === true) {
      io.stdout.write(`${JSON.stringify({ file, kind, findings })}\n`);
      continue;
    }
    for (const finding of findings) {
      const at = finding.line === undefined ? file : `${file}:${finding.line}:${finding.column}`;
      io.stdout.write(
        `${at}: ${finding.severity} ${finding.path || '(document)'}: ${finding.message} [${finding.code}]\n`,
      );
    }
    const errors = findings.filter((finding) => finding.severity === 'error').length;
    io.stdout.write(`${file}: ${errors} error(s), ${findings.length - errors} other finding(s)\n`);
  }
  return failed ? ExitCode.Invalid : ExitCode.Ok;
};

/** A finding with where it is written in the file (line and column from 1), when known. */
type LocatedFinding = PolicyFinding & { readonly line?: number; readonly column?: number };

/** The findings of one file; unreadable files and invalid JSON (duplicate keys included) are errors. */
async function findingsFor(path: string, kind: PolicyKind): Promise<LocatedFinding[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return [
      { severity: 'error', code: 'UnreadableFile', path: '', message: `cannot read the file (${reason})` },
    ];
  }
  let document: unknown;
  try {
    document = parseJsonText(text);
  } catch (error) {
    if (!isPolicyDocumentError(error)) throw error;
    return [{ severity: 'error', code: error.rule, path: error.path, message: error.description }];
  }
  const positions = jsonPositions(text);
  return validatePolicy(document, kind).map((finding) =>
    located(finding, nearestPosition(positions, finding.path)),
  );
}

function located(finding: PolicyFinding, position: SourcePosition | undefined): LocatedFinding {
  return position === undefined ? finding : { ...finding, line: position.line, column: position.column };
}
