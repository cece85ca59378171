import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import {
  isPolicyDocumentError,
  parseJsonText,
  simulate,
  type RolePolicyDocuments,
  type RoleResolver,
  type SimulationResult,
} from '../policy/index.js';
import { ExitCode, type CommandHandler } from './cli-io.js';
import { parseCommandArgs } from './parse-command-args.js';

const HELP = `Usage: fedgate policy simulate [--request FILE] [--jsonl] [--config FILE]

Evaluates requests against IAM-style policies without a running gateway.

Reads one JSON request from stdin (or --request FILE):
  {"identityPolicies": [...], "permissionsBoundary": {...}, "sessionPolicies": [...],
   "guardrails": [...], "resourcePolicy": {...}, "principal": "arn:...",
   "action": "service:Action", "resource": "arn:...", "context": {"key": "value"}}
and prints {"decision", "matchedStatements", "missingContextKeys"}.

With "trustPolicy": {...} it decides a role assumption as the STS does: "action" is
sts:AssumeRole / sts:AssumeRoleWithSAML / sts:AssumeRoleWithWebIdentity (or sts:TagSession…),
"resource" the role's ARN (optional), "principal" the caller ({"type": "Federated", "id":
"<provider id>"} or a provider ARN; for role chaining the caller's session ARN, with
"identityPolicies" etc. or "role" as the caller's own policies).

Options:
  --request FILE   read the request from FILE instead of stdin
  --jsonl          JSON Lines: one request per line, one result per line, in order;
                   an invalid line is answered with {"error": {...}} and the rest continue
  --config FILE    resolve "role": "<name>" to that role's configured policies,
                   permissions boundary, guardrails and resource policy
  -h, --help       show this help

Exit codes: 0 decided (even when denied), 1 invalid input, 2 usage.`;

const POLICY_FIELDS = [
  'identityPolicies',
  'permissionsBoundary',
  'sessionPolicies',
  'guardrails',
  'resourcePolicy',
  'trustPolicy',
];

interface SimulateFlags {
  request?: string;
  jsonl?: boolean;
  config?: string;
}

/** `fedgate policy simulate` (SPEC 7.6); `loadRoleResolver` is only called when --config is given. */
export function createPolicySimulateCommand(
  loadRoleResolver: (configPath: string) => Promise<(role: string) => RolePolicyDocuments | undefined>,
): CommandHandler {
  return async (args, io) => {
    const parsed = parseCommandArgs<SimulateFlags>(
      args,
      { request: { type: 'string' }, jsonl: { type: 'boolean' }, config: { type: 'string' } },
      HELP,
      io,
    );
    if (!parsed.ok) return parsed.exitCode;
    if (parsed.positionals.length > 0) {
      io.stderr.write(`unexpected argument: ${parsed.positionals[0] ?? ''}\n\n${HELP}\n`);
      return ExitCode.Usage;
    }
    const { request, jsonl, config } = parsed.values;

    let resolveRole: RoleResolver | undefined;
    if (config !== undefined) {
      try {
        resolveRole = await loadRoleResolver(resolve(io.cwd, config));
      } catch (error) {
        io.stderr.write(
          `cannot load configuration ${config}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        return ExitCode.Invalid;
      }
    }

    let input: Readable | string;
    if (request !== undefined) {
      try {
        input = await readFile(resolve(io.cwd, request), 'utf8');
      } catch (error) {
        io.stderr.write(
          `cannot read ${request}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        return ExitCode.Invalid;
      }
    } else {
      input = io.stdin;
    }

    if (jsonl === true) {
      await simulateLines(input, io.stdout, resolveRole);
      return ExitCode.Ok;
    }
    const text = typeof input === 'string' ? input : await readAll(input);
    const result = simulateText(text, resolveRole);
    await writeLine(io.stdout, JSON.stringify(result));
    return 'error' in result ? ExitCode.Invalid : ExitCode.Ok;
  };
}

/** Parses one request's JSON text (strictly: duplicate keys refused, big numbers exact) and simulates it. */
export function simulateText(text: string, resolveRole: RoleResolver | undefined): SimulationResult {
  let request: unknown;
  try {
    request = parseJsonText(text.trim());
  } catch (error) {
    if (!isPolicyDocumentError(error)) throw error;
    const head = /^([A-Za-z]+)/.exec(error.path)?.[1] ?? '';
    const code = POLICY_FIELDS.includes(head) ? 'MalformedPolicyDocument' : 'ValidationError';
    return { error: { code, path: error.path, message: error.description } };
  }
  return simulate(request, resolveRole);
}

async function simulateLines(
  input: Readable | string,
  out: Writable,
  resolveRole: RoleResolver | undefined,
): Promise<void> {
  const lines =
    typeof input === 'string'
      ? input.split('\n')
      : createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    // Blank lines (e.g. a trailing newline) carry no request and get no answer.
    if (line.trim() === '') continue;
    await writeLine(out, JSON.stringify(simulateText(line, resolveRole)));
  }
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function writeLine(out: Writable, line: string): Promise<void> {
  return new Promise((done) => {
    if (out.write(`${line}\n`)) done();
    else out.once('drain', done);
  });
}
