import { ExitCode, type CommandHandler } from './cli-io.js';
import { deleteSignIn, PROFILE_NAME, readSignIn } from './cli-sign-in-cache.js';
import { revokeSignIn } from './gateway-oauth-client.js';
import { parseCommandArgs } from './parse-command-args.js';

const HELP = `Usage: fedgate logout [--profile NAME]

Ends the sign-in \`fedgate login --profile NAME\` made: the gateway revokes it and every role session minted
from it (their credentials stop working at once), and the profile's file is deleted.
  --profile NAME     the profile to sign out (default: default)`;

/** `fedgate logout`: revokes a profile's sign-in at the gateway (RFC 7009) and forgets it. */
export const logoutCommand: CommandHandler = async (args, io) => {
  const parsed = parseCommandArgs<{ profile?: string }>(args, { profile: { type: 'string' } }, HELP, io);
  if (!parsed.ok) return parsed.exitCode;
  const profile = parsed.values.profile ?? 'default';
  if (!PROFILE_NAME.test(profile)) {
    io.stderr.write(`--profile must be letters, digits, '.', '_' or '-' (at most 64)\n\n${HELP}\n`);
    return ExitCode.Usage;
  }
  const signIn = await readSignIn(profile, io);
  if (signIn === undefined) {
    io.stderr.write(`Profile ${profile} is not signed in.\n`);
    return ExitCode.Ok;
  }
  try {
    const answer = await revokeSignIn(signIn.endpoint, signIn.refreshToken);
    if (!answer.ok) {
      // Kept, so that logout can be tried again: the sign-in may still be live at the gateway.
      io.stderr.write(`fedgate logout: the gateway refused: ${answer.error}: ${answer.description}\n`);
      return ExitCode.Invalid;
    }
  } catch {
    io.stderr.write(`fedgate logout: cannot reach the gateway at ${signIn.endpoint}; the sign-in is kept\n`);
    return ExitCode.Invalid;
  }
  await deleteSignIn(profile, io);
  io.stderr.write(`Signed out profile ${profile}: its sign-in and role credentials are revoked.\n`);
  return ExitCode.Ok;
};
