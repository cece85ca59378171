import { ExitCode, type CommandHandler } from './cli-io.js';
import { PROFILE_NAME, readSignIn, writeSignIn, type CachedSignIn } from './cli-sign-in-cache.js';
import { renderCredentialProcess } from './credential-process-output.js';
import { credentialsX509Command } from './credentials-x509-command.js';
import { refreshRoleCredentials } from './gateway-oauth-client.js';
import { parseCommandArgs } from './parse-command-args.js';

/**
 * Credentials are renewed when less than this is left: the AWS SDKs and CLI call credential_process again
 * from 15 minutes before expiry (botocore's advisory refresh), so renewing from then on hands them fresh ones.
 */
const RENEW_BEFORE_MS = 15 * 60 * 1000;
/** Cached credentials closer than this to expiry are not handed out even when renewing failed. */
const MIN_VALIDITY_MS = 60 * 1000;

export const CREDENTIALS_HELP = `Usage: fedgate credentials --profile NAME
       fedgate credentials x509 --certificate FILE --private-key FILE --trust-anchor ARN --profile ARN --role ARN

--profile NAME prints the credentials of a profile signed in with \`fedgate login --profile NAME\` as AWS
credential_process JSON, renewing them at the gateway when less than 15 minutes are left, for as long as
the sign-in lasts. In ~/.aws/config:

  [profile NAME]
  credential_process = fedgate credentials --profile NAME

x509 gets credentials from an X.509 certificate (IAM Roles Anywhere): fedgate credentials x509 --help.`;

/** `fedgate credentials`: `--profile NAME` (a `fedgate login` sign-in), or the `x509` sub-command. */
export const credentialsCommand: CommandHandler = async (args, io) => {
  if (args[0] === 'x509') return credentialsX509Command(args.slice(1), io);
  const parsed = parseCommandArgs<{ profile?: string }>(
    args,
    { profile: { type: 'string' } },
    CREDENTIALS_HELP,
    io,
  );
  if (!parsed.ok) return parsed.exitCode;
  const [word] = parsed.positionals;
  if (word !== undefined) {
    io.stderr.write(
      `Unknown command: fedgate credentials ${word}. Did you mean x509?\n\n${CREDENTIALS_HELP}\n`,
    );
    return ExitCode.Usage;
  }
  const profile = parsed.values.profile;
  if (profile === undefined || !PROFILE_NAME.test(profile)) {
    io.stderr.write(
      `${profile === undefined ? 'missing --profile' : "--profile must be letters, digits, '.', '_' or '-'"}\n\n${CREDENTIALS_HELP}\n`,
    );
    return ExitCode.Usage;
  }
  const signIn = await readSignIn(profile, io);
  if (signIn === undefined) {
    io.stderr.write(
      `fedgate credentials: profile ${profile} is not signed in: run fedgate login --profile ${profile}\n`,
    );
    return ExitCode.Invalid;
  }
  const left = Date.parse(signIn.credentials.Expiration) - Date.now();
  if (left > RENEW_BEFORE_MS) {
    io.stdout.write(processOutput(signIn));
    return ExitCode.Ok;
  }
  let problem: string;
  try {
    const answer = await refreshRoleCredentials(signIn.endpoint, signIn.refreshToken, signIn.role);
    if (answer.ok) {
      const renewed: CachedSignIn = { ...signIn, credentials: answer.value.Credentials };
      await writeSignIn(profile, renewed, io);
      io.stdout.write(processOutput(renewed));
      return ExitCode.Ok;
    }
    problem =
      answer.error === 'invalid_grant'
        ? `the sign-in of profile ${profile} has ended (${answer.description}): run fedgate login --profile ${profile}`
        : `the gateway refused to renew: ${answer.error}: ${answer.description}`;
  } catch {
    problem = `cannot reach the gateway at ${signIn.endpoint} to renew`;
  }
  // Still valid for a while: hand out what is cached (the caller asks again sooner), and say why.
  if (left > MIN_VALIDITY_MS) {
    io.stderr.write(`fedgate credentials: ${problem}; the cached credentials are still valid\n`);
    io.stdout.write(processOutput(signIn));
    return ExitCode.Ok;
  }
  io.stderr.write(`fedgate credentials: ${problem}\n`);
  return ExitCode.Invalid;
};

function processOutput(signIn: CachedSignIn): string {
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = signIn.credentials;
  return renderCredentialProcess({
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    sessionToken: SessionToken,
    expiration: Expiration,
  });
}
