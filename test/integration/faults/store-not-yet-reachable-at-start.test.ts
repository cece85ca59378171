/**
 * Issue 19 item 4 and issue 20 item 8: `fedgate serve` started before its Redis is reachable retries with
 * backoff for `store.startupTimeout`, answering `/readyz` 503 meanwhile, and serves once Redis comes up; past
 * the timeout it exits with a clear message. Every start-up line names the store address it tried, never the
 * password in the store URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

const PASSWORD = 'startup-secret-pass-7f3a';
const KEK = 'startup-test-key-encryption-key-0123456789';

const dirs: string[] = [];
const children: ChildProcess[] = [];
const servers: RedisServerHandle[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const server of servers) await server.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

interface Serving {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

async function serve(port: number, startupTimeout: string): Promise<Serving> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-startup-'));
  dirs.push(dir);
  const path = join(dir, 'gateway.yaml');
  await writeFile(
    path,
    [
      'publicUrl: http://127.0.0.1:9',
      'log: { level: info }',
      'audit: { sinks: [] }',
      `store: { kind: redis, url: "redis://:${PASSWORD}@127.0.0.1:${port}", keyPrefix: "startup:", startupTimeout: ${startupTimeout} }`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/run-fedgate.ts', 'serve', '--config', path, '--port', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FEDGATE_KEY_ENCRYPTION_KEY: KEK } },
  );
  children.push(child);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

async function status(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

describe('fedgate serve before its Redis is reachable', () => {
  it('retries with backoff, /readyz 503 meanwhile, then serves once Redis is up; logs name the address, not the password', async () => {
    const port = await freePort();
    const gateway = await serve(port, '60s');
    // The listener is up at once (its address is logged) although the store is not.
    const listening = /"url":"(http:\/\/[^"]+)","store":"([^"]+)","msg":"listening; connecting to the store"/;
    await expect.poll(() => listening.exec(gateway.output())?.[1], { timeout: 30_000 }).toBeDefined();
    const [, url = '', address = ''] = listening.exec(gateway.output()) ?? [];
    expect(address).toContain(`127.0.0.1:${port}`);

    // Several attempts fail first: the instance is alive but not ready.
    await expect
      .poll(() => gateway.output().match(/the store is not reachable yet; retrying/g)?.length ?? 0, {
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(3);
    expect(await status(`${url}/healthz`)).toBe(200);
    expect(await status(`${url}/readyz`)).toBe(503);
    const retries = gateway
      .output()
      .split('\n')
      .filter((line) => line.includes('not reachable yet'))
      .map((line) => JSON.parse(line) as { store: string; attempt: number; retryInMs: number });
    expect(retries[0]?.store).toContain(`127.0.0.1:${port}`);
    // Backoff: the pauses grow.
    expect(retries.map((line) => line.retryInMs)).toEqual(
      [...retries.map((line) => line.retryInMs)].sort((a, b) => a - b),
    );
    expect((retries.at(-1)?.retryInMs ?? 0) > (retries[0]?.retryInMs ?? 0)).toBe(true);

    // Redis comes up on that port: the gateway connects without a restart.
    // (No requirepass: the test helper checks PING without AUTH; ioredis accepts a server that needs none.)
    const redis = await startRedisServer({ port });
    servers.push(redis);
    await expect.poll(() => status(`${url}/readyz`), { timeout: 20_000 }).toBe(200);
    expect(gateway.output()).toMatch(/"msg":"store connected"/);
    expect(gateway.output()).not.toContain(PASSWORD);
    expect(gateway.child.exitCode).toBeNull();
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 90_000);

  it('gives up after store.startupTimeout with a message naming the address, and exits non-zero', async () => {
    const port = await freePort();
    const gateway = await serve(port, '2s');
    const code = await gateway.exited;
    expect(code).not.toBe(0);
    expect(gateway.output()).toContain(`127.0.0.1:${port}) was not reachable within 2 s of start-up`);
    expect(gateway.output()).not.toContain(PASSWORD);
  }, 60_000);
});
