import { ExitCode, type CommandHandler } from './cli-io.js';
import { configPathFrom, parseCommandArgs } from './parse-command-args.js';
import { openSharedState } from './open-shared-state.js';

const HELP = `Usage: fedgate keys rotate [--config FILE]

Adds a new signing key to the shared store and makes it current on every gateway instance.
The previous key stays in the JWKS, and keeps verifying, until every token it signed has expired.`;

/** `fedgate keys rotate`. */
export const keysRotateCommand: CommandHandler = async (args, io) => {
  const parsed = parseCommandArgs<{ config?: string }>(args, { config: { type: 'string' } }, HELP, io);
  if (!parsed.ok) return parsed.exitCode;
  const shared = await openSharedState(
    configPathFrom(parsed.values.config, io),
    io,
    'fedgate keys rotate',
    'its signing keys exist only in that process and are made anew when it starts, so restarting the gateway is the rotation (tokens it signed stop verifying); to rotate without that, configure a Redis store',
  );
  if (typeof shared === 'string') {
    io.stderr.write(`fedgate keys rotate: ${shared}\n`);
    return ExitCode.Invalid;
  }
  try {
    const { kid } = await shared.keys.rotate();
    io.stdout.write(`new signing key ${kid} is current\n`);
    return ExitCode.Ok;
  } finally {
    await shared.close();
  }
};
