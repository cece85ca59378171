import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { runCli } from '../../src/cli/run-cli.js';
import { captureIo } from '../support/cli-io.js';
import {
  askForwarded,
  startGateway,
  type Answer,
  type GatewayUnderTest,
} from '../integration/authorizer/authorizer-gateway.js';
import { ordersConfig } from '../integration/authorizer/orders-config.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

/*
 * Issue 20, item 3: `fedgate sessions revoke --role R` with 100,000 live sessions of R under traffic. Before,
 * it failed after about 8 s with a stack trace, thousands of records left and no notice published. Now the
 * role marker and the notice go out first (every instance refuses at once), then the records are cleaned up
 * in pipelined batches with progress; a second run is harmless.
 */

const ORDER = { host: 'orders.example.com', uri: '/orders/42', clientIp: '10.1.2.3' };
const KEK = 'authorizer-tests-key-encryption-key-0123456789';
const SESSIONS = Number(process.env['FEDGATE_MASS_REVOCATION_SESSIONS'] ?? 100_000);
const POLL_DEADLINE_MS = 60_000;

describe('a role revocation of 100,000 sessions under traffic', () => {
  let redis: RedisServerHandle;
  let first: GatewayUnderTest;
  let second: GatewayUnderTest;
  let dir: string;
  beforeAll(async () => {
    redis = await startRedisServer();
    first = await startGateway({ config: ordersConfig(), redisUrl: redis.url });
    second = await startGateway({ config: ordersConfig(), redisUrl: redis.url });
    dir = await mkdtemp(join(tmpdir(), 'fedgate-mass-revoke-'));
    await writeFile(
      join(dir, 'gateway.json'),
      JSON.stringify(ordersConfig({ store: { kind: 'redis', url: redis.url } })),
    );
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await redis?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('every instance refuses the role at once, the clean-up finishes with progress, a second run is harmless', async () => {
    // A few real, cached credentials of the role, and one of another role that must stay valid.
    const live = await Promise.all(
      Array.from({ length: 4 }, () => first.issue({ roleName: 'Developer', tags: { team: 'payments' } })),
    );
    const other = await first.issue({ roleName: 'Viewer', tags: { team: 'payments' } });
    for (const gateway of [first, second])
      for (const { token } of [...live, other])
        expect((await askForwarded(gateway, ORDER, bearer(token))).status).toBe(200);
    await loadSessions(redis.url, live[0]?.session.id ?? '', SESSIONS);

    let running = true;
    const seen: Answer[] = [];
    const traffic = [first, second].map(async (gateway) => {
      while (running) {
        for (const { token } of live) seen.push(await askForwarded(gateway, ORDER, bearer(token)));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });

    const started = Date.now();
    // Its own process, as an operator runs it: the gateways' event loop is not shared with the clean-up.
    const command = runFedgate([
      'sessions',
      'revoke',
      '--role',
      'Developer',
      '--config',
      join(dir, 'gateway.json'),
    ]);
    const watcher = new Redis(redis.url);
    let markerAt = 0;
    const marker = (async () => {
      while ((await watcher.exists('fedgate:revoked:role:Developer')) === 0) await delay(2);
      markerAt = Date.now();
    })();
    const refused = await Promise.all(
      [first, second].map(async (gateway) => {
        for (const { token } of live) await askUntil(() => askForwarded(gateway, ORDER, bearer(token)), 401);
        return Date.now();
      }),
    );
    await marker;
    watcher.disconnect();
    const io = await command;
    const exitCode = io.code;
    running = false;
    await Promise.all(traffic);
    console.info(
      `mass revocation of ${SESSIONS} sessions: refused on both instances ${refused.map((at) => at - markerAt).join(' / ')} ms ` +
        `after the role marker was written (${markerAt - started} ms after the command started); ` +
        `clean-up done ${Date.now() - markerAt} ms after the marker; ` +
        `${seen.length} requests answered meanwhile`,
    );

    expect(exitCode, io.stderr).toBe(0);
    expect(io.stdout).toContain('refused by every instance');
    expect(io.stdout).toMatch(/revoked; \d+ records deleted/);
    expect(io.stderr).toMatch(/clean-up: \d+ examined, \d+ records deleted so far/);
    expect(io.stderr).not.toMatch(/\n\s+at /);
    expect(seen.filter((answer) => ![200, 401].includes(answer.status))).toEqual([]);
    const client = new Redis(redis.url);
    try {
      expect(await client.zcard('fedgate:sessions-index:role:Developer')).toBe(0);
      expect(await client.exists(`fedgate:session:{${live[0]?.session.id ?? ''}}`)).toBe(0);
      expect(await client.exists('fedgate:session:{bulk-1}')).toBe(0);
    } finally {
      client.disconnect();
    }
    expect((await askForwarded(second, ORDER, bearer(other.token))).status).toBe(200);

    // Again, in-process: nothing left to do, and saying so is not an error.
    const again = captureIo({ env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK } });
    expect(
      await runCli(
        ['sessions', 'revoke', '--role', 'Developer', '--config', join(dir, 'gateway.json')],
        again,
      ),
    ).toBe(0);
    expect(again.stdoutText()).toContain('0 records deleted');
  }, 300_000);
});

/** Writes `count` session records of the role (copies of a real one) and their index entries, pipelined. */
async function loadSessions(url: string, templateId: string, count: number): Promise<void> {
  const client = new Redis(url);
  try {
    const template = JSON.parse((await client.get(`fedgate:session:{${templateId}}`)) ?? '{}') as Record<
      string,
      unknown
    >;
    const ttlMs = 3_600_000;
    const expiresAt = Date.now() + ttlMs;
    for (let start = 0; start < count; start += 5_000) {
      const pipeline = client.pipeline();
      for (let i = start; i < Math.min(count, start + 5_000); i++) {
        const id = `bulk-${i}`;
        const subject = `user-${randomBytes(3).toString('hex')}`;
        pipeline.set(`fedgate:session:{${id}}`, JSON.stringify({ ...template, id, subject }), 'PX', ttlMs);
        pipeline.zadd('fedgate:sessions-index:role:Developer', expiresAt, id);
        pipeline.zadd('fedgate:sessions-index:all', expiresAt, id);
        pipeline.zadd(`fedgate:sessions-index:subject:${subject}`, expiresAt, id);
      }
      await pipeline.exec();
    }
  } finally {
    client.disconnect();
  }
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function askUntil(ask: () => Promise<Answer>, status: number): Promise<Answer[]> {
  const seen: Answer[] = [];
  const deadline = Date.now() + POLL_DEADLINE_MS;
  for (;;) {
    const answer = await ask();
    seen.push(answer);
    if (answer.status === status || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `fedgate` from the sources in a child process. */
function runFedgate(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/support/run-fedgate.ts', ...args],
      { env: { ...process.env, FEDGATE_KEY_ENCRYPTION_KEY: KEK }, timeout: 240_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
