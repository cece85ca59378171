import { ConfigError, formatConfigIssue } from '../config/index.js';
import { FedgateError } from '../errors/index.js';
import { ExitCode, type CliIo, type CommandHandler } from './cli-io.js';
import { configPathFrom, parseCommandArgs } from './parse-command-args.js';

const HELP = `Usage: fedgate serve [--config FILE] [--port N]

Runs the gateway: SSO portal, STS API, token exchange and the authorizer.
  --config FILE   configuration (default: $FEDGATE_CONFIG, then config/gateway.yaml)
  --port N        listen on this port instead of the configured one
SIGTERM or SIGINT stops accepting, lets in-flight requests finish and closes the store.`;

/** What `fedgate serve` needs of the gateway; the composition root hands it in (`runFedgate` in src/main.ts). */
export type StartGateway = (options: {
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly port?: number;
}) => Promise<{ readonly url: string; readonly authorizerUrl: string | undefined; close(): Promise<void> }>;

/** `fedgate serve`: starts the gateway with `startGateway` and runs until SIGTERM/SIGINT. */
export function serveCommand(startGateway: StartGateway | undefined): CommandHandler {
  return (args, io) => serve(startGateway, args, io);
}

async function serve(
  startGateway: StartGateway | undefined,
  args: readonly string[],
  io: CliIo,
): Promise<number> {
  const parsed = parseCommandArgs<{ config?: string; port?: string }>(
    args,
    { config: { type: 'string' }, port: { type: 'string' } },
    HELP,
    io,
  );
  if (!parsed.ok) return parsed.exitCode;
  const port = parsed.values.port === undefined ? undefined : Number(parsed.values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    io.stderr.write(`--port must be a port number\n\n${HELP}\n`);
    return ExitCode.Usage;
  }
  if (startGateway === undefined)
    throw new TypeError(
      'fedgate serve needs the gateway: run the command line through runFedgate (src/main.ts)',
    );
  const configPath = configPathFrom(parsed.values.config, io);
  let gateway;
  try {
    gateway = await startGateway({ configPath, env: io.env, ...(port === undefined ? {} : { port }) });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`fedgate: ${configPath} is invalid:\n`);
      for (const issue of error.issues) io.stderr.write(`  ${formatConfigIssue(issue, io.cwd)}\n`);
      return ExitCode.Invalid;
    }
    if (error instanceof FedgateError) {
      io.stderr.write(`fedgate: ${error.detail}\n`);
      return ExitCode.Invalid;
    }
    const listenProblem = listenFailure(error);
    if (listenProblem !== undefined) {
      io.stderr.write(`fedgate: ${listenProblem}\n`);
      return ExitCode.Invalid;
    }
    throw error;
  }
  io.stdout.write(`fedgate is running: open ${gateway.url}/\n`);
  if (gateway.authorizerUrl !== undefined)
    io.stdout.write(`authorizer listening on ${gateway.authorizerUrl}/authz\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  io.stdout.write('fedgate: shutting down\n');
  await gateway.close();
  return ExitCode.Ok;
}

/** A friendly sentence for a listener that could not bind, or undefined for any other failure. */
function listenFailure(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, address, port } = error as { code?: unknown; address?: unknown; port?: unknown };
  const where =
    typeof address === 'string' && typeof port === 'number' ? `${address}:${port}` : 'the address';
  if (code === 'EADDRINUSE')
    return `cannot listen on ${where}: another program is already using it (stop it, or choose another port with --port or listen.port)`;
  if (code === 'EACCES')
    return `cannot listen on ${where}: permission denied (ports below 1024 need privileges; choose another port)`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: that address is not on this machine`;
  return undefined;
}
