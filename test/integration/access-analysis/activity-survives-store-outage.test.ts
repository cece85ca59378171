/**
 * Issue 15: "a store outage during traffic loses no activity". A gateway on a real Redis records decisions in
 * memory and writes them every second; Redis goes away in the middle of the traffic (the batches written
 * meanwhile fail), comes back, and more traffic follows. Read afterwards from the store alone (the CLI, with
 * the gateway closed), every decision and every assumption is counted exactly once.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { captureIo } from '../../support/cli-io.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { startAccessBed, type AccessBed } from './access-bed.js';

let redis: RedisServerHandle;
let bed: AccessBed;
let dataDir: string;
let bedClosed = false;
const env = { FEDGATE_KEY_ENCRYPTION_KEY: 'activity-outage-test-key-encryption-key-0123' };

beforeAll(async () => {
  // The data survives the restart (append-only file, written on the graceful stop): what is missing after the
  // outage can only be what the gateway failed to write.
  dataDir = mkdtempSync(join(tmpdir(), 'fedgate-activity-'));
  redis = await startRedisServer({ args: ['--appendonly', 'yes', '--dir', dataDir] });
  bed = await startAccessBed({
    store: { kind: 'redis', url: redis.url, keyPrefix: 'outage:' },
    extra: { accessAnalysis: { flushInterval: '1s' } },
    env,
  });
}, 60_000);
afterAll(async () => {
  if (!bedClosed) await bed?.close();
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function untilReady(): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${bed.url}/readyz`);
    await response.arrayBuffer();
    if (response.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the gateway did not become ready again after Redis returned');
}

interface ActionRow {
  action: string;
  allowed: number;
  denied: number;
}

describe('activity during a store outage', () => {
  it('store-outage-loses-activity: decisions made before, around and after the outage are all counted once', async () => {
    bed.clock.ms = Date.now();
    const alice = await bed.assume('Developer', 'alice');
    const sent = { get: { allowed: 0, denied: 0 }, delete: { allowed: 0, denied: 0 } };
    const tally = (method: 'GET' | 'DELETE', status: number): void => {
      const row = method === 'GET' ? sent.get : sent.delete;
      if (status === 200) row.allowed++;
      else if (status === 403) row.denied++;
    };

    // Before: some of this is written by the periodic flush, some is still in memory when Redis goes away.
    for (let i = 0; i < 20; i++) {
      bed.clock.ms = Date.now();
      tally('GET', await bed.authz(alice, 'GET', `/orders/${i % 4 === 0 ? 'green' : 'red'}/${i}`));
      tally('DELETE', await bed.authz(alice, 'DELETE', `/orders/${i % 2 === 0 ? 'blue' : 'red'}/${i}`));
    }
    expect(sent).toEqual({ get: { allowed: 15, denied: 5 }, delete: { allowed: 10, denied: 10 } });

    await redis.stop();
    // During: the gateway fails closed (never 200), and its flushes of the buffered activity fail.
    const during: number[] = [];
    const outageEnds = Date.now() + 3_000;
    while (Date.now() < outageEnds) {
      bed.clock.ms = Date.now();
      const status = await bed.authz(alice, 'GET', '/orders/red/1');
      during.push(status);
      tally('GET', status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(during.length).toBeGreaterThan(5);
    expect(during.filter((status) => status === 200)).toEqual([]);

    await redis.restart();
    await untilReady();
    // After: the same session (its state was in Redis all along) keeps deciding, and a new one is assumed.
    const bob = await bed.assume('Developer', 'bob');
    for (let i = 0; i < 5; i++) {
      bed.clock.ms = Date.now();
      tally('GET', await bed.authz(i % 2 === 0 ? alice : bob, 'GET', `/orders/blue/${i}`));
    }
    tally('DELETE', await bed.authz(bob, 'DELETE', '/orders/red/99'));

    // Closing the gateway writes what is left; the CLI then reads the store alone (the fixture's config
    // file goes with the gateway, so the CLI reads a copy).
    const configPath = join(dataDir, 'gateway.yaml');
    copyFileSync(bed.fixture.configPath, configPath);
    await bed.close();
    bedClosed = true;
    const io = captureIo({ env });
    const code = await runCli(
      ['access', 'last-accessed', '--config', configPath, '--role', 'Developer', '--json'],
      io,
    );
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(io.stdoutText()) as {
      sessions: number;
      services: { actions: ActionRow[] }[];
    };
    const actions = Object.fromEntries(
      report.services.flatMap((service) => service.actions).map((row) => [row.action, row]),
    );
    expect(report.sessions).toBe(2);
    expect(actions['orders:GetOrder']).toMatchObject(sent.get);
    expect(actions['orders:DeleteOrder']).toMatchObject(sent.delete);
  }, 60_000);
});
