import type { CliIo, CommandHandler } from './cli-io.js';
import { ExitCode } from './cli-io.js';
import { serveCommand, type StartGateway } from './serve-command.js';
import { validateCommand } from './validate-command.js';
import { policySimulateCommand } from './policy-simulate-wiring.js';
import { policyValidateCommand } from './policy-validate-command.js';
import { keysRotateCommand } from './keys-rotate-command.js';
import { sessionsRevokeCommand } from './sessions-revoke-command.js';
import { didYouMean } from '../text/closest-match.js';
import { FEDGATE_VERSION } from './version.js';
import { credentialsCommand } from './credentials-command.js';
import { loginCommand } from './login-command.js';
import { logoutCommand } from './logout-command.js';
import { ACCESS_USAGE, accessCommand } from './access-command.js';

const USAGE = `Usage: fedgate <command> [options]

Commands:
  serve [--config FILE]                 run the gateway (portal, STS, token exchange, authorizer)
  validate [--config FILE] [--json]     validate the configuration and every policy; exit 1 on any error
  policy simulate [--request FILE] [--jsonl] [--config FILE]
                                        evaluate requests against policies without a server
  policy validate FILE... [--kind KIND] [--json]
                                        Access-Analyzer-style findings for policy files
  keys rotate [--config FILE]           add a new signing key (the old one verifies until its tokens expire)
  sessions revoke --session ID | --role NAME [--before TIME] | --subject SUB [--config FILE]
                                        revoke role sessions
  login [--profile NAME] [--endpoint URL]
                                        sign in through the portal (device code) for fedgate credentials
  logout [--profile NAME]               end that sign-in and revoke its credentials
  credentials --profile NAME            credential_process JSON of a fedgate login sign-in, renewed before expiry
  credentials x509 --certificate FILE --private-key FILE --trust-anchor ARN --profile ARN --role ARN
                                        credential_process JSON from an X.509 certificate (IAM Roles Anywhere)
  access last-accessed|unused|generate-policy|who-can|findings [--json]
                                        access-analysis reports (fedgate access --help)

--config defaults to $FEDGATE_CONFIG, then config/gateway.yaml. Every command accepts --help.
fedgate --version prints the version.
Exit codes: 0 ok, 1 invalid input or findings, 2 usage.`;

/** What the entry point hands the command line: the gateway `fedgate serve` starts. */
export interface CliWiring {
  readonly startGateway?: StartGateway;
}

/** Commands by their words (`serve` apart: it needs the wiring); a two-word command is keyed "policy simulate". */
const COMMANDS: Readonly<Record<string, CommandHandler>> = {
  validate: validateCommand,
  'policy simulate': policySimulateCommand,
  'policy validate': policyValidateCommand,
  'keys rotate': keysRotateCommand,
  'sessions revoke': sessionsRevokeCommand,
  login: loginCommand,
  logout: logoutCommand,
  credentials: credentialsCommand,
  'access last-accessed': accessCommand('last-accessed'),
  'access unused': accessCommand('unused'),
  'access generate-policy': accessCommand('generate-policy'),
  'access who-can': accessCommand('who-can'),
  'access findings': accessCommand('findings'),
};

const GROUPS: Readonly<Record<string, string>> = {
  access: ACCESS_USAGE,
  policy:
    'Usage: fedgate policy simulate [--request FILE] [--jsonl] [--config FILE]\n       fedgate policy validate FILE... [--kind KIND] [--json]',
  keys: 'Usage: fedgate keys rotate [--config FILE]',
  sessions:
    'Usage: fedgate sessions revoke --session ID | --role NAME [--before TIME] | --subject SUB [--config FILE]',
};

/** Runs the `fedgate` command line and returns the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo(),
  wiring: CliWiring = {},
): Promise<number> {
  const commands: Readonly<Record<string, CommandHandler>> = {
    serve: serveCommand(wiring.startGateway),
    ...COMMANDS,
  };
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return first === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout.write(`fedgate ${FEDGATE_VERSION}\n`);
    return ExitCode.Ok;
  }
  const single = commands[first];
  if (single !== undefined) return single(argv.slice(1), io);
  const group = GROUPS[first];
  if (group !== undefined) {
    const handler = second === undefined ? undefined : commands[`${first} ${second}`];
    if (handler !== undefined) return handler(rest, io);
    const askedHelp = second === '--help' || second === '-h';
    if (second !== undefined && !askedHelp) {
      const known = Object.keys(commands)
        .filter((words) => words.startsWith(`${first} `))
        .map((words) => words.slice(first.length + 1));
      io.stderr.write(`Unknown command: fedgate ${first} ${second}.${didYouMean(second, known)}\n\n`);
    }
    (askedHelp ? io.stdout : io.stderr).write(`${group}\n`);
    return askedHelp ? ExitCode.Ok : ExitCode.Usage;
  }
  const known = [...new Set(Object.keys(commands).map((words) => words.split(' ')[0] ?? words))];
  io.stderr.write(`Unknown command: ${first}.${didYouMean(first, known)}\n\n${USAGE}\n`);
  return ExitCode.Usage;
}

function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}
