import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { captureIo, type CapturedIo } from '../../support/cli-io.js';
import { startPortalTestBed, type PortalTestBed } from '../portal/portal-test-bed.js';
import { launchChromium } from '../../support/chromium.js';

/*
 * `fedgate login` (the OAuth device authorization grant, RFC 8628, served by the gateway), a person confirming the
 * code on the portal's verification page in headless Chromium, and `fedgate credentials --profile` as the AWS CLI's
 * credential_process.
 */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
const SCREENSHOT = process.env['FEDGATE_SCREENSHOT_DIR'];

let bed: PortalTestBed;
let browser: Browser;
let person: BrowserContext;
let xdg: string;
let aheadMs = 0;

beforeAll(async () => {
  bed = await startPortalTestBed({
    now: () => Date.now() + aheadMs,
    // The sign-in lasts 30 minutes, so the role credentials do too (they never outlive it).
    sessions: { portalDuration: '30m' },
  });
  browser = await launchChromium();
  person = await browser.newContext();
  xdg = mkdtempSync(join(tmpdir(), 'fedgate-xdg-'));
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bed?.close();
  if (xdg !== undefined) rmSync(xdg, { recursive: true, force: true });
});
afterEach(() => {
  aheadMs = 0;
});

function cliIo(): CapturedIo {
  return captureIo({ env: { XDG_CONFIG_HOME: xdg } });
}

async function post(
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${bed.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function deviceAuthorization(): Promise<Record<string, string | number>> {
  const { status, body } = await post('/oauth2/device_authorization', { client_id: 'fedgate-cli' });
  expect(status).toBe(200);
  return body as Record<string, string | number>;
}

function poll(deviceCode: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return post('/oauth2/token', {
    grant_type: DEVICE_GRANT,
    device_code: deviceCode,
    client_id: 'fedgate-cli',
  });
}

/** Opens a verification address; signs carol in at the OIDC IdP first when this browser is not signed in yet. */
async function openVerification(address: string): Promise<Page> {
  const page = await person.newPage();
  await page.goto(address);
  const signIn = page.getByRole('link', { name: 'Sign in with Corp OIDC' });
  if (await signIn.isVisible()) {
    await signIn.click();
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('carol-pass');
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await expect.poll(() => page.getByRole('heading', { name: 'Allow fedgate login?' }).isVisible()).toBe(true);
  return page;
}

async function waitForText(io: CapturedIo, pattern: RegExp): Promise<RegExpExecArray> {
  await expect.poll(() => pattern.test(io.stderrText()), { timeout: 20_000 }).toBe(true);
  return pattern.exec(io.stderrText()) as RegExpExecArray;
}

describe('fedgate login and fedgate credentials --profile', () => {
  it('signs in through the verification page and caches the sign-in readable by its owner only', async () => {
    const io = cliIo();
    const login = runCli(['login', '--profile', 'dev', '--endpoint', bed.url], io);
    const [, address, code] = await waitForText(
      io,
      /open (\S+\/device\?user_code=\S+)\nand check that it shows the code (\S+)/,
    );
    expect(code).toMatch(USER_CODE);

    const page = await openVerification(address ?? '');
    // The code the terminal shows is filled in, with when and where it was asked for.
    const field = page.getByLabel('Code shown in your terminal');
    expect(await field.inputValue()).toBe(code);
    // All of it shows: the field is wide enough for the code.
    expect(await field.evaluate((input) => input.scrollWidth <= input.clientWidth)).toBe(true);
    const text = await page.locator('main').innerText();
    expect(text).toMatch(/Asked for at .+ from 127\.0\.0\.1\./);
    expect(text).toContain('Continue only if you started fedgate login yourself just now');
    await page.getByRole('radio', { name: /Developer/ }).check();
    if (SCREENSHOT !== undefined)
      await page.screenshot({ path: join(SCREENSHOT, 'device-verification.png'), fullPage: true });
    await page.getByRole('button', { name: 'Allow' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'fedgate login is signed in' }).isVisible())
      .toBe(true);
    expect(await page.getByRole('status').innerText()).toContain('Developer');
    if (SCREENSHOT !== undefined)
      await page.screenshot({ path: join(SCREENSHOT, 'device-signed-in.png'), fullPage: true });

    expect(await login).toBe(0);
    expect(io.stderrText()).toContain(
      'Signed in as arn:fedgate:sts::000000000000:assumed-role/Developer/carol@example.com',
    );
    expect(io.stdoutText()).toBe('');
    const file = join(xdg, 'fedgate', 'profiles', 'dev.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(xdg, 'fedgate', 'profiles')).mode & 0o777).toBe(0o700);
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { credentials: { SessionToken: string } };
    expect((await bed.fixture.gateway.sessions.verify(cached.credentials.SessionToken)).roleName).toBe(
      'Developer',
    );
  }, 90_000);

  it('fedgate credentials --profile prints credential_process JSON', async () => {
    const io = cliIo();
    expect(await runCli(['credentials', '--profile', 'dev'], io)).toBe(0);
    const output = JSON.parse(io.stdoutText()) as Record<string, unknown>;
    expect(Object.keys(output)).toEqual([
      'Version',
      'AccessKeyId',
      'SecretAccessKey',
      'SessionToken',
      'Expiration',
    ]);
    expect(output.Version).toBe(1);
    expect(output.AccessKeyId).toMatch(/^FSIA/);
    expect(Date.parse(String(output.Expiration))).toBeGreaterThan(Date.now() + 20 * 60_000);
  });

  it('the AWS CLI gets GetCallerIdentity through a credential_process = fedgate credentials --profile profile', async () => {
    const entry = fileURLToPath(new URL('../../support/run-fedgate.ts', import.meta.url));
    const tsx = fileURLToPath(import.meta.resolve('tsx'));
    const configFile = join(xdg, 'aws-config');
    writeFileSync(
      configFile,
      `[profile dev]\ncredential_process = ${process.execPath} --import ${tsx} ${entry} credentials --profile dev\nregion = us-east-1\n`,
    );
    const { stdout } = await promisify(execFile)(
      '/usr/bin/aws',
      ['sts', 'get-caller-identity', '--profile', 'dev', '--endpoint-url', bed.url, '--output', 'json'],
      {
        env: {
          PATH: '/usr/bin:/bin',
          HOME: xdg,
          XDG_CONFIG_HOME: xdg,
          AWS_CONFIG_FILE: configFile,
          AWS_SHARED_CREDENTIALS_FILE: join(xdg, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_PAGER: '',
        },
        timeout: 60_000,
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/Developer/carol@example.com',
      Account: '000000000000',
    });
  }, 90_000);

  it('boto3 and the JS SDK v3 get GetCallerIdentity through the same profile', async () => {
    const env = {
      PATH: '/usr/bin:/bin',
      HOME: xdg,
      XDG_CONFIG_HOME: xdg,
      AWS_CONFIG_FILE: join(xdg, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(xdg, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const run = promisify(execFile);
    const python = await run(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import boto3, json, sys',
          'sts = boto3.Session(profile_name="dev").client("sts", endpoint_url=sys.argv[1])',
          'print(json.dumps(sts.get_caller_identity()["Arn"]))',
        ].join('\n'),
        bed.url,
      ],
      { env, timeout: 60_000 },
    );
    expect(JSON.parse(python.stdout)).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Developer/carol@example.com',
    );
    const node = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';",
          "const sts = new STSClient({ profile: 'dev', region: 'us-east-1', endpoint: process.argv[1] });",
          'console.log(JSON.stringify((await sts.send(new GetCallerIdentityCommand({}))).Arn));',
        ].join('\n'),
        bed.url,
      ],
      { env, timeout: 60_000, cwd: fileURLToPath(new URL('../../..', import.meta.url)) },
    );
    expect(JSON.parse(node.stdout)).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Developer/carol@example.com',
    );
  }, 90_000);

  it('renews credentials that are about to expire, while the sign-in lasts', async () => {
    const file = join(xdg, 'fedgate', 'profiles', 'dev.json');
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { credentials: Record<string, string> };
    const old = cached.credentials;
    // As the cache would be ten minutes before the credentials expire.
    const soon = new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    writeFileSync(file, JSON.stringify({ ...cached, credentials: { ...old, Expiration: soon } }));
    const io = cliIo();
    expect(await runCli(['credentials', '--profile', 'dev'], io)).toBe(0);
    const renewed = JSON.parse(io.stdoutText()) as Record<string, string>;
    expect(renewed.AccessKeyId).not.toBe(old.AccessKeyId);
    expect(Date.parse(renewed.Expiration ?? '')).toBeGreaterThan(Date.parse(soon));
    const session = await bed.fixture.gateway.sessions.verify(renewed.SessionToken ?? '');
    expect(session.principalArn).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Developer/carol@example.com',
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = cliIo();
    expect(await runCli(['credentials', '--profile', 'dev'], again)).toBe(0);
    expect(JSON.parse(again.stdoutText())).toMatchObject({ AccessKeyId: renewed.AccessKeyId });
  });

  it('sign-in-ended: once the sign-in is over, credentials about to expire are not renewed and login is asked for', async () => {
    const file = join(xdg, 'fedgate', 'profiles', 'dev.json');
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { credentials: Record<string, string> };
    const nearlyGone = new Date(Date.now() + 30_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    writeFileSync(
      file,
      JSON.stringify({ ...cached, credentials: { ...cached.credentials, Expiration: nearlyGone } }),
    );
    aheadMs = 31 * 60_000;
    const io = cliIo();
    expect(await runCli(['credentials', '--profile', 'dev'], io)).toBe(1);
    expect(io.stdoutText()).toBe('');
    expect(io.stderrText()).toContain('has ended');
    expect(io.stderrText()).toContain('run fedgate login --profile dev');
  });

  it('fedgate logout revokes the sign-in and its role credentials, and forgets the profile', async () => {
    const io = cliIo();
    const login = runCli(['login', '--profile', 'ops', '--endpoint', bed.url], io);
    const [, address] = await waitForText(io, /open (\S+\/device\?user_code=\S+)\n/);
    const page = await openVerification(address ?? '');
    await page.getByRole('radio', { name: /Auditor/ }).check();
    await page.getByRole('button', { name: 'Allow' }).click();
    expect(await login).toBe(0);
    const file = join(xdg, 'fedgate', 'profiles', 'ops.json');
    const cached = JSON.parse(readFileSync(file, 'utf8')) as {
      refreshToken: string;
      credentials: { SessionToken: string };
    };
    expect((await bed.fixture.gateway.sessions.verify(cached.credentials.SessionToken)).roleName).toBe(
      'Auditor',
    );

    const out = cliIo();
    expect(await runCli(['logout', '--profile', 'ops'], out)).toBe(0);
    expect(out.stderrText()).toContain('Signed out profile ops');
    expect(existsSync(file)).toBe(false);
    await expect(bed.fixture.gateway.sessions.verify(cached.credentials.SessionToken)).rejects.toMatchObject({
      code: 'InvalidToken',
    });
    // The sign-in itself is over: it renews nothing any more.
    const renewal = await post('/oauth2/token', {
      grant_type: 'refresh_token',
      refresh_token: cached.refreshToken,
      role: 'Auditor',
      client_id: 'fedgate-cli',
    });
    expect(renewal).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const again = cliIo();
    expect(await runCli(['credentials', '--profile', 'ops'], again)).toBe(1);
  }, 90_000);

  it('a profile never signed in is exit 1 with what to run; bad profile names and endpoints are usage errors', async () => {
    const io = cliIo();
    expect(await runCli(['credentials', '--profile', 'other'], io)).toBe(1);
    expect(io.stderrText()).toContain('fedgate login --profile other');
    const usage = cliIo();
    expect(await runCli(['credentials', '--profile', '../etc/passwd'], usage)).toBe(2);
    expect(await runCli(['login', '--profile', 'dev', '--endpoint', 'sso.example.com'], cliIo())).toBe(2);
    expect(await runCli(['logout', '--profile', 'never'], cliIo())).toBe(0);
  });
});

describe('the device authorization grant (RFC 8628) at the gateway', () => {
  it('RFC 8414 metadata advertises the device authorization endpoint and grant', async () => {
    const metadata = (await (
      await fetch(`${bed.url}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(metadata.device_authorization_endpoint).toBe(`${bed.url}/oauth2/device_authorization`);
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining([DEVICE_GRANT, 'refresh_token']));
  });

  it('answers with a device code, a base-20 user code, the verification page, its lifetime and the interval', async () => {
    const started = await deviceAuthorization();
    expect(started).toMatchObject({
      verification_uri: `${bed.url}/device`,
      expires_in: 600,
      interval: 5,
    });
    expect(started.user_code).toMatch(USER_CODE);
    expect(started.verification_uri_complete).toBe(`${bed.url}/device?user_code=${started.user_code}`);
    expect(String(started.device_code)).toMatch(/^[\w-]{43}$/);
  });

  it('unknown-client: a client other than fedgate-cli is invalid_client', async () => {
    const { status, body } = await post('/oauth2/device_authorization', { client_id: 'someone-else' });
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  it('polling before an answer is authorization_pending, and polling faster than the interval is slow_down', async () => {
    const started = await deviceAuthorization();
    const first = await poll(String(started.device_code));
    expect(first).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
    const second = await poll(String(started.device_code));
    expect(second).toMatchObject({ status: 400, body: { error: 'slow_down' } });
  });

  it('an expired device code is expired_token', async () => {
    const started = await deviceAuthorization();
    aheadMs = 601_000;
    expect(await poll(String(started.device_code))).toMatchObject({
      status: 400,
      body: { error: 'expired_token' },
    });
  });

  it('denied on the verification page: the device gets access_denied, then nothing', async () => {
    const started = await deviceAuthorization();
    const page = await openVerification(String(started.verification_uri_complete));
    await page.getByRole('button', { name: 'Deny' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'fedgate login denied' }).isVisible())
      .toBe(true);
    expect(await poll(String(started.device_code))).toMatchObject({
      status: 400,
      body: { error: 'access_denied' },
    });
    expect(await poll(String(started.device_code))).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('device-code-replay: an approved device code is redeemed once', async () => {
    const started = await deviceAuthorization();
    const page = await openVerification(String(started.verification_uri_complete));
    await page.getByRole('radio', { name: /Auditor/ }).check();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'fedgate login is signed in' }).isVisible())
      .toBe(true);
    const redeemed = await poll(String(started.device_code));
    expect(redeemed.status).toBe(200);
    expect(redeemed.body).toMatchObject({ token_type: 'Bearer', role: 'Auditor' });
    expect(await poll(String(started.device_code))).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
  });

  it('wrong-user-code: a code nobody asked for is refused on the page, and nothing is issued', async () => {
    const started = await deviceAuthorization();
    const page = await openVerification(`${bed.url}/device`);
    const other = String(started.user_code).startsWith('B') ? 'CCCC-CCCC' : 'BBBB-BBBB';
    await page.getByLabel('Code shown in your terminal').fill(other);
    await page.getByRole('radio', { name: /Developer/ }).check();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => page.getByRole('alert').isVisible()).toBe(true);
    expect(await page.getByRole('alert').innerText()).toContain('not one waiting for an answer');
    // What the person typed and picked is kept, to correct rather than start over.
    expect(await page.getByLabel('Code shown in your terminal').inputValue()).toBe(other);
    expect(await page.getByRole('radio', { name: /Developer/ }).isChecked()).toBe(true);
    expect(await poll(String(started.device_code))).toMatchObject({
      status: 400,
      body: { error: 'authorization_pending' },
    });
  });
});
