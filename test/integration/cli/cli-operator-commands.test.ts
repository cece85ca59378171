import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';
import { runFedgate } from '../../../src/run-fedgate.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { captureIo } from '../../support/cli-io.js';

const KEK = 'cli-test-key-encryption-key-0123456789abcdef';
let redis: RedisServerHandle;
let configPath: string;
let auditPath: string;
let gateway: RunningGateway;

function issue(gw: RunningGateway, sessionName = 'alice') {
  return gw.sessions.issue({
    roleName: 'Reader',
    sessionName,
    provider: 'corp',
    subject: sessionName,
    tags: {},
    transitiveTagKeys: [],
    mfa: false,
    amr: [],
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    durationSeconds: 900,
  });
}

beforeAll(async () => {
  redis = await startRedisServer();
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-cli-redis-'));
  configPath = join(dir, 'gateway.yaml');
  auditPath = join(dir, 'audit.log');
  await writeFile(
    configPath,
    `publicUrl: http://127.0.0.1:9
listen: { port: 0 }
store: { kind: redis, url: "${redis.url}" }
log: { level: silent }
audit: { sinks: [{ kind: file, path: audit.log }] }
roles:
  - name: Reader
    trustPolicy:
      Version: "2012-10-17"
      Statement: [{ Effect: Allow, Principal: { Federated: corp }, Action: sts:AssumeRoleWithWebIdentity }]
`,
  );
  gateway = await startGateway({
    configPath,
    env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK },
    port: 0,
    watch: false,
  });
});

afterAll(async () => {
  await gateway.close();
  await redis.stop();
});

describe('fedgate keys rotate / sessions revoke against the shared Redis store', () => {
  it('refuses to run without FEDGATE_KEY_ENCRYPTION_KEY, saying why', async () => {
    const io = captureIo({ env: {} });
    expect(await runCli(['keys', 'rotate', '--config', configPath], io)).toBe(1);
    expect(io.stderrText()).toContain('FEDGATE_KEY_ENCRYPTION_KEY');
  });

  it('keys rotate: the running gateway signs with the new key and still publishes the old one', async () => {
    const before = await issue(gateway);
    const oldKid = decodeProtectedHeader(before.token).kid;
    const io = captureIo({ env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK } });
    expect(await runCli(['keys', 'rotate', '--config', configPath], io)).toBe(0);
    const newKid = /new signing key (\S+) is current/.exec(io.stdoutText())?.[1];
    expect(newKid).toBeDefined();
    expect(newKid).not.toBe(oldKid);
    await expect
      .poll(async () => (await readFile(auditPath, 'utf8')).includes('"event":"key.rotated"'))
      .toBe(true);
    await expect
      .poll(
        async () => {
          const after = await issue(gateway, 'bob');
          return decodeProtectedHeader(after.token).kid;
        },
        { timeout: 5000 },
      )
      .toBe(newKid);
    const kids = (await gateway.keys.jwks()).keys.map((key) => key.kid);
    expect(kids).toEqual(expect.arrayContaining([oldKid, newKid]));
    await expect(gateway.sessions.verify(before.token)).resolves.toMatchObject({ id: before.session.id });
  });

  it('sessions revoke --session: the gateway refuses the session within a second', async () => {
    const { token, session } = await issue(gateway, 'carol');
    await expect(gateway.sessions.verify(token)).resolves.toBeDefined();
    const io = captureIo({ env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK } });
    expect(await runCli(['sessions', 'revoke', '--session', session.id, '--config', configPath], io)).toBe(0);
    expect(io.stdoutText()).toContain(`session ${session.id} revoked`);
    // The operator action is audited to the configured sinks, like the gateways' own events.
    await expect
      .poll(async () => (await readFile(auditPath, 'utf8')).includes('"by":"fedgate sessions revoke"'))
      .toBe(true);
    await expect(gateway.sessions.verify(token)).rejects.toMatchObject({ code: 'InvalidToken' });
  });

  it('sessions revoke --role: every session of the role issued before now is refused', async () => {
    const first = await issue(gateway, 'dave');
    const second = await issue(gateway, 'erin');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const io = captureIo({ env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK } });
    expect(await runCli(['sessions', 'revoke', '--role', 'Reader', '--config', configPath], io)).toBe(0);
    await expect(gateway.sessions.verify(first.token)).rejects.toMatchObject({ code: 'InvalidToken' });
    await expect(gateway.sessions.verify(second.token)).rejects.toMatchObject({ code: 'InvalidToken' });
  });

  it('sessions revoke of an unknown session exits 1', async () => {
    const io = captureIo({ env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK } });
    expect(
      await runCli(['sessions', 'revoke', '--session', 'no-such-session', '--config', configPath], io),
    ).toBe(1);
    expect(io.stdoutText()).toContain('not found');
  });
});

describe('a CLI command that finds no key ring', () => {
  it('creates the first key and audits it as done by that command, never as keys rotate', async () => {
    const empty = await startRedisServer();
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-cli-empty-'));
    const path = join(dir, 'gateway.yaml');
    await writeFile(
      path,
      `publicUrl: http://127.0.0.1:9
store: { kind: redis, url: "${empty.url}" }
log: { level: silent }
audit: { sinks: [{ kind: file, path: audit.log }] }
roles:
  - name: Reader
    trustPolicy:
      Version: "2012-10-17"
      Statement: [{ Effect: Allow, Principal: { Federated: corp }, Action: sts:AssumeRoleWithWebIdentity }]
`,
    );
    try {
      const io = captureIo({ env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK } });
      expect(await runCli(['sessions', 'revoke', '--role', 'Reader', '--config', path], io)).toBe(0);
      const lines = async (): Promise<{ event: string; details?: Record<string, unknown> }[]> =>
        (await readFile(join(dir, 'audit.log'), 'utf8').catch(() => ''))
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as { event: string; details?: Record<string, unknown> });
      await expect.poll(async () => (await lines()).some((line) => line.event === 'key.rotated')).toBe(true);
      const created = (await lines()).filter((line) => line.event === 'key.rotated');
      expect(created.map((line) => line.details?.['by'])).toEqual(['fedgate sessions revoke']);
    } finally {
      await empty.stop();
    }
  });
});

describe('fedgate serve', () => {
  it('prints its URL, answers /healthz and /readyz, and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-serve-'));
    const path = join(dir, 'gateway.yaml');
    await writeFile(path, 'publicUrl: http://127.0.0.1:9\nlog: { level: silent }\naudit: { sinks: [] }\n');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/run-fedgate.ts', 'serve', '--config', path, '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await expect.poll(() => /open (http:\/\/\S+)\//.exec(out)?.[1], { timeout: 20_000 }).toBeDefined();
    const url = /open (http:\/\/\S+)\//.exec(out)?.[1] ?? '';
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('shutting down');
  });

  it('refuses to start on an invalid configuration, listing every error with its path (exit 1)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-serve-bad-'));
    const path = join(dir, 'gateway.yaml');
    await writeFile(path, 'publicUrl: http://127.0.0.1:9\nsessions: { defaultDuration: soon }\nbogus: 1\n');
    const io = captureIo();
    expect(await runFedgate(['serve', '--config', path], io)).toBe(1);
    expect(io.stderrText()).toContain('sessions.defaultDuration');
    expect(io.stderrText()).toContain('bogus');
  });
});
