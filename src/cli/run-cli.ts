import type { CliIo, CommandHandler } from './cli-io.js';
import { ExitCode } from './cli-io.js';
import type { StartGateway } from './serve-command.js';
import { didYouMean } from '../text/closest-match.js';
import { FEDGATE_VERSION } from './version.js';

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

/**
 * Commands by their words (a two-word command is keyed "policy simulate"), each loaded only when it runs: a
 * `credential_process` call of `fedgate credentials` starts without the modules of every other command.
 */
type LoadCommand = (wiring: CliWiring) => Promise<CommandHandler>;

const COMMANDS: Readonly<Record<string, LoadCommand>> = {
  serve: async (wiring) => (await import('./serve-command.js')).serveCommand(wiring.startGateway),
  validate: async () => (await import('./validate-command.js')).validateCommand,
  'policy simulate': async () => (await import('./policy-simulate-wiring.js')).policySimulateCommand,
  'policy validate': async () => (await import('./policy-validate-command.js')).policyValidateCommand,
  'keys rotate': async () => (await import('./keys-rotate-command.js')).keysRotateCommand,
  'sessions revoke': async () => (await import('./sessions-revoke-command.js')).sessionsRevokeCommand,
  login: async () => (await import('./login-command.js')).loginCommand,
  logout: async () => (await import('./logout-command.js')).logoutCommand,
  credentials: async () => (await import('./credentials-command.js')).credentialsCommand,
  'access last-accessed': async () => (await import('./access-command.js')).accessCommand('last-accessed'),
  'access unused': async () => (await import('./access-command.js')).accessCommand('unused'),
  'access generate-policy': async () =>
    (await import('./access-command.js')).accessCommand('generate-policy'),
  'access who-can': async () => (await import('./access-command.js')).accessCommand('who-can'),
  'access findings': async () => (await import('./access-command.js')).accessCommand('findings'),
};

const GROUPS: Readonly<Record<string, () => Promise<string>>> = {
  access: async () => (await import('./access-command.js')).ACCESS_USAGE,
  policy: async () =>
    'Usage: fedgate policy simulate [--request FILE] [--jsonl] [--config FILE]\n       fedgate policy validate FILE... [--kind KIND] [--json]',
  keys: async () => 'Usage: fedgate keys rotate [--config FILE]',
  sessions: async () =>
    'Usage: fedgate sessions revoke --session ID | --role NAME [--before TIME] | --subject SUB [--config FILE]',
};

/** Runs the `fedgate` command line and returns the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo(),
  wiring: CliWiring = {},
): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return first === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout.write(`fedgate ${FEDGATE_VERSION}\n`);
    return ExitCode.Ok;
  }
  const single = COMMANDS[first];
  if (single !== undefined) return (await single(wiring))(argv.slice(1), io);
  const usage = GROUPS[first];
  if (usage !== undefined) {
    const handler = second === undefined ? undefined : COMMANDS[`${first} ${second}`];
    if (handler !== undefined) return (await handler(wiring))(rest, io);
    const group = await usage();
    const askedHelp = second === '--help' || second === '-h';
    if (second !== undefined && !askedHelp) {
      const known = Object.keys(COMMANDS)
        .filter((words) => words.startsWith(`${first} `))
        .map((words) => words.slice(first.length + 1));
      io.stderr.write(`Unknown command: fedgate ${first} ${second}.${didYouMean(second, known)}\n\n`);
    }
    (askedHelp ? io.stdout : io.stderr).write(`${group}\n`);
    return askedHelp ? ExitCode.Ok : ExitCode.Usage;
  }
  const known = [...new Set(Object.keys(COMMANDS).map((words) => words.split(' ')[0] ?? words))];
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
