import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROLE, SAML_PROVIDER_ARN, startAwsClientsBed, type AwsClientsBed } from './aws-clients-bed.js';

/*
 * The AWS CLI v2 (Debian's /usr/bin/aws) and boto3 (Debian's python3-boto3), unchanged, as subprocesses pointed at
 * a running gateway with --endpoint-url / endpoint_url. Each runs with its own empty AWS config folder, no instance
 * metadata and loopback only; what is asserted is what the client itself reports (its output, its error code).
 */

type Operation = 'AssumeRoleWithWebIdentity' | 'AssumeRoleWithSAML' | 'AssumeRole' | 'GetCallerIdentity';
type Params = Readonly<Record<string, string | number>>;
interface Credentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: string;
}
type Answer =
  | { readonly result: Record<string, unknown> & { Credentials?: Credentials } }
  | { readonly error: { readonly Code: string } };

/** One AWS client, driven as a subprocess. */
interface ClientUnderTest {
  readonly name: string;
  call(operation: Operation, params: Params, credentials?: Credentials): Promise<Answer>;
}

let bed: AwsClientsBed;
let home: string;
beforeAll(async () => {
  // A generous skew window, so the gateway's clock can be put past a credential's expiry while the clients sign
  // with the real time.
  bed = await startAwsClientsBed({ sigv4: { clockSkew: '30m' } });
  home = mkdtempSync(join(tmpdir(), 'fedgate-aws-home-'));
  writeFileSync(join(home, 'config'), '');
  writeFileSync(join(home, 'credentials'), '');
}, 60_000);
afterAll(async () => {
  await bed?.close();
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
});
afterEach(() => {
  bed.setClockAhead(0);
});

/** The environment of a client: an isolated AWS config, no instance metadata, and the credentials if any. */
function isolatedEnv(credentials?: Credentials): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...(credentials === undefined
      ? {}
      : {
          AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
          AWS_SESSION_TOKEN: credentials.SessionToken,
        }),
  };
}

function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

const CLI_COMMANDS: Readonly<Record<Operation, string>> = {
  AssumeRoleWithWebIdentity: 'assume-role-with-web-identity',
  AssumeRoleWithSAML: 'assume-role-with-saml',
  AssumeRole: 'assume-role',
  GetCallerIdentity: 'get-caller-identity',
};
const CLI_OPTIONS: Readonly<Record<string, string>> = {
  RoleArn: '--role-arn',
  RoleSessionName: '--role-session-name',
  WebIdentityToken: '--web-identity-token',
  DurationSeconds: '--duration-seconds',
  PrincipalArn: '--principal-arn',
  SAMLAssertion: '--saml-assertion',
};

const awsCli: ClientUnderTest = {
  name: 'the AWS CLI v2',
  async call(operation, params, credentials) {
    const options = Object.entries(params).flatMap(([key, value]) => [
      CLI_OPTIONS[key] ?? key,
      String(value),
    ]);
    const { code, stdout, stderr } = await run(
      '/usr/bin/aws',
      [
        'sts',
        CLI_COMMANDS[operation],
        ...options,
        '--endpoint-url',
        bed.gateway.url,
        '--region',
        'us-east-1',
        '--output',
        'json',
        '--cli-read-timeout',
        '30',
      ],
      isolatedEnv(credentials),
    );
    if (code === 0) return { result: JSON.parse(stdout) as Record<string, unknown> };
    // The CLI's service error: "An error occurred (Code) when calling the Op operation: message", exit code 254.
    const reported = /An error occurred \((\w+)\) when calling the (\w+) operation/.exec(stderr);
    if (code !== 254 || reported?.[2] !== operation) throw new Error(`aws exited ${code}: ${stderr}`);
    return { error: { Code: reported[1] ?? '' } };
  },
};

const BOTO3_OPERATIONS: Readonly<Record<Operation, string>> = {
  AssumeRoleWithWebIdentity: 'assume_role_with_web_identity',
  AssumeRoleWithSAML: 'assume_role_with_saml',
  AssumeRole: 'assume_role',
  GetCallerIdentity: 'get_caller_identity',
};
const BOTO3_DRIVER = fileURLToPath(new URL('./boto3-sts-call.py', import.meta.url));

const boto3: ClientUnderTest = {
  name: 'boto3',
  async call(operation, params, credentials) {
    const { code, stdout, stderr } = await run(
      '/usr/bin/python3',
      [BOTO3_DRIVER],
      isolatedEnv(),
      JSON.stringify({
        endpoint: bed.gateway.url,
        operation: BOTO3_OPERATIONS[operation],
        params,
        ...(credentials === undefined ? {} : { credentials }),
      }),
    );
    if (code !== 0) throw new Error(`python3 exited ${code}: ${stderr}`);
    return JSON.parse(stdout) as Answer;
  },
};

function resultOf(answer: Answer): Record<string, unknown> & { Credentials?: Credentials } {
  if ('error' in answer) throw new Error(`expected a result, got ${answer.error.Code}`);
  return answer.result;
}

function errorCodeOf(answer: Answer): string {
  if (!('error' in answer)) throw new Error('expected an error');
  return answer.error.Code;
}

describe.each([awsCli, boto3])('$name against fedgate', (client) => {
  const ciCredentials = async (durationSeconds = 3600): Promise<Credentials> => {
    const out = resultOf(
      await client.call('AssumeRoleWithWebIdentity', {
        RoleArn: `${ROLE}/CiDeploy`,
        RoleSessionName: 'build-7',
        WebIdentityToken: await bed.ciToken(),
        DurationSeconds: durationSeconds,
      }),
    );
    if (out.Credentials === undefined) throw new Error('no credentials');
    return out.Credentials;
  };

  it('AssumeRoleWithWebIdentity with an OIDC token', async () => {
    const out = resultOf(
      await client.call('AssumeRoleWithWebIdentity', {
        RoleArn: `${ROLE}/CiDeploy`,
        RoleSessionName: 'build-7',
        WebIdentityToken: await bed.ciToken(),
        DurationSeconds: 900,
      }),
    );
    expect(out.AssumedRoleUser).toMatchObject({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/CiDeploy/build-7',
    });
    expect(out.Credentials?.AccessKeyId).toMatch(/^FSIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    const expiresIn = Date.parse(String(out.Credentials?.Expiration)) - Date.now();
    expect(expiresIn).toBeGreaterThan(800_000);
    expect(expiresIn).toBeLessThanOrEqual(900_000);
    expect(out).toMatchObject({
      Provider: 'ci',
      SubjectFromWebIdentityToken: 'repo:acme/api:ref:refs/heads/main',
      Audience: 'fedgate',
    });
  }, 60_000);

  it('AssumeRoleWithSAML with a samlify-signed assertion', async () => {
    const out = resultOf(
      await client.call('AssumeRoleWithSAML', {
        RoleArn: `${ROLE}/Developer`,
        PrincipalArn: SAML_PROVIDER_ARN,
        SAMLAssertion: await bed.samlResponse(),
      }),
    );
    expect(out.AssumedRoleUser).toMatchObject({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
    });
    expect(out).toMatchObject({ Subject: 'alice@example.com', Issuer: 'https://idp.saml.test/metadata' });
    expect(out.Credentials?.SessionToken).toBeTruthy();
  }, 60_000);

  it('GetCallerIdentity signed with the returned credentials, then AssumeRole chained from them', async () => {
    const ci = await ciCredentials();
    expect(resultOf(await client.call('GetCallerIdentity', {}, ci))).toMatchObject({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/CiDeploy/build-7',
      Account: '000000000000',
      UserId: expect.stringMatching(/:build-7$/),
    });
    const chained = resultOf(
      await client.call('AssumeRole', { RoleArn: `${ROLE}/Release`, RoleSessionName: 'release-1' }, ci),
    );
    expect(chained.AssumedRoleUser).toMatchObject({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/Release/release-1',
    });
    expect(resultOf(await client.call('GetCallerIdentity', {}, chained.Credentials))).toMatchObject({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/Release/release-1',
    });
  }, 90_000);

  it('a chained AssumeRole the caller is not allowed is AccessDenied', async () => {
    const ci = await ciCredentials();
    const answer = await client.call(
      'AssumeRole',
      { RoleArn: `${ROLE}/Admin`, RoleSessionName: 'escalate' },
      ci,
    );
    expect(errorCodeOf(answer)).toBe('AccessDenied');
  }, 60_000);

  it('expired-credential: once the session has expired its credentials get ExpiredToken', async () => {
    const ci = await ciCredentials(900);
    bed.setClockAhead(901);
    expect(errorCodeOf(await client.call('GetCallerIdentity', {}, ci))).toBe('ExpiredToken');
  }, 60_000);

  it('revoked-credential: once the session is revoked its credentials get InvalidClientTokenId', async () => {
    const ci = await ciCredentials();
    const session = await bed.gateway.gateway.sessions.verify(ci.SessionToken);
    await bed.gateway.gateway.sessions.revokeSession(session.id);
    expect(errorCodeOf(await client.call('GetCallerIdentity', {}, ci))).toBe('InvalidClientTokenId');
  }, 60_000);

  it('tampered-signature: a request signed with a wrong secret key is SignatureDoesNotMatch', async () => {
    const ci = await ciCredentials();
    const last = ci.SecretAccessKey.endsWith('A') ? 'B' : 'A';
    const wrong = { ...ci, SecretAccessKey: `${ci.SecretAccessKey.slice(0, -1)}${last}` };
    expect(errorCodeOf(await client.call('GetCallerIdentity', {}, wrong))).toBe('SignatureDoesNotMatch');
  }, 60_000);
});
