import { ExitCode, type CommandHandler } from './cli-io.js';
import { PROFILE_NAME, readSignIn, writeSignIn, type CachedSignIn } from './cli-sign-in-cache.js';
import {
  pollDeviceToken,
  requestDeviceAuthorization,
  type DeviceAuthorization,
  type SignInTokens,
} from './gateway-oauth-client.js';
import { parseCommandArgs } from './parse-command-args.js';
import { awsTimestamp } from '../sts/index.js';

const HELP = `Usage: fedgate login [--profile NAME] [--endpoint URL]

Signs you in through the portal with the OAuth device authorization grant (RFC 8628): open the address it
prints in a browser, sign in, check the code and pick a role. The role's credentials and the sign-in are
kept in $XDG_CONFIG_HOME/fedgate/profiles/NAME.json (default ~/.config/fedgate), readable by you only;
\`fedgate credentials --profile NAME\` prints them for AWS credential_process and renews them while the
sign-in lasts.
  --profile NAME     the profile to sign in (default: default)
  --endpoint URL     the gateway (default: the profile's, then $FEDGATE_URL, then http://127.0.0.1:8080)

Then in ~/.aws/config:

  [profile NAME]
  credential_process = fedgate credentials --profile NAME`;

interface LoginArgs {
  profile?: string;
  endpoint?: string;
}

/** `fedgate login`: the device authorization grant, then the sign-in cached for `fedgate credentials`. */
export const loginCommand: CommandHandler = async (args, io) => {
  const parsed = parseCommandArgs<LoginArgs>(
    args,
    { profile: { type: 'string' }, endpoint: { type: 'string' } },
    HELP,
    io,
  );
  if (!parsed.ok) return parsed.exitCode;
  const profile = parsed.values.profile ?? 'default';
  if (!PROFILE_NAME.test(profile)) {
    io.stderr.write(`--profile must be letters, digits, '.', '_' or '-' (at most 64)\n\n${HELP}\n`);
    return ExitCode.Usage;
  }
  const endpoint =
    parsed.values.endpoint ??
    (await readSignIn(profile, io))?.endpoint ??
    io.env.FEDGATE_URL ??
    'http://127.0.0.1:8080';
  if (!/^https?:\/\/[^\s/]+/.test(endpoint)) {
    io.stderr.write(`--endpoint must be the gateway's http(s) URL\n\n${HELP}\n`);
    return ExitCode.Usage;
  }
  try {
    const started = await requestDeviceAuthorization(endpoint);
    if (!started.ok) {
      io.stderr.write(`fedgate login: the gateway refused: ${started.error}: ${started.description}\n`);
      return ExitCode.Invalid;
    }
    const authorization = started.value;
    io.stderr.write(
      `To sign in, open ${authorization.verification_uri_complete ?? authorization.verification_uri}\n` +
        `and check that it shows the code ${authorization.user_code}\n` +
        `(or open ${authorization.verification_uri} and enter the code). Waiting…\n`,
    );
    const outcome = await waitForApproval(endpoint, authorization);
    if (!outcome.ok) {
      io.stderr.write(`fedgate login: ${outcome.message}\n`);
      return ExitCode.Invalid;
    }
    const tokens = outcome.tokens;
    const signIn: CachedSignIn = {
      version: 1,
      endpoint,
      role: tokens.role,
      principalArn: tokens.AssumedRoleUser.Arn,
      refreshToken: tokens.refresh_token,
      signInExpiration: awsTimestamp(new Date(Date.now() + tokens.refresh_token_expires_in * 1000)),
      credentials: tokens.Credentials,
    };
    const path = await writeSignIn(profile, signIn, io);
    io.stderr.write(
      `Signed in as ${signIn.principalArn} until ${signIn.signInExpiration}.\n` +
        `Kept in ${path}. Use it from ~/.aws/config with:\n\n` +
        `[profile ${profile}]\ncredential_process = fedgate credentials --profile ${profile}\n`,
    );
    return ExitCode.Ok;
  } catch (error) {
    io.stderr.write(`fedgate login: cannot reach the gateway at ${endpoint} (${describe(error)})\n`);
    return ExitCode.Invalid;
  }
};

/** RFC 8628 §3.4–3.5: polls at the interval, slower after `slow_down`, until an answer or the code expires. */
async function waitForApproval(
  endpoint: string,
  authorization: DeviceAuthorization,
): Promise<{ ok: true; tokens: SignInTokens } | { ok: false; message: string }> {
  let interval = authorization.interval ?? 5;
  const deadline = Date.now() + authorization.expires_in * 1000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, interval * 1000));
    const answer = await pollDeviceToken(endpoint, authorization.device_code);
    if (answer.ok) return { ok: true, tokens: answer.value };
    switch (answer.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval += 5;
        continue;
      case 'access_denied':
        return { ok: false, message: 'the sign-in was denied in the browser.' };
      case 'expired_token':
        return { ok: false, message: 'the code expired before it was confirmed; run fedgate login again.' };
      default:
        return { ok: false, message: `the gateway refused: ${answer.error}: ${answer.description}` };
    }
  }
  return { ok: false, message: 'the code expired before it was confirmed; run fedgate login again.' };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (typeof cause === 'string') return cause;
  return error instanceof Error ? error.name : 'unknown error';
}
