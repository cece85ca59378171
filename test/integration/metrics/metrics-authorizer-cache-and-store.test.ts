import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentialsOf,
  reservePort,
  startBedIdps,
  startFederationBed,
  type BedIdps,
  type FederationBed,
} from '../faults/federation-bed.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

/*
 * Issue 18, operations: `/metrics` on a running gateway with a private redis-server shows the authorizer's cache
 * (lookups by hit/miss, evictions by reason, entries), the store's health (1 while up, 0 once Redis is gone) and
 * the revocations received over the pub/sub channel. Every figure is read from a scrape after doing what it
 * counts.
 */

let redis: RedisServerHandle;
let idps: BedIdps;
let bed: FederationBed;

beforeAll(async () => {
  redis = await startRedisServer();
  const port = await reservePort();
  idps = await startBedIdps(port);
  // Two entries: a third credential makes room by evicting the least recently used one.
  bed = await startFederationBed({ idps, port, redisUrl: redis.url, authorizerCacheMaxEntries: 2 });
});

afterAll(async () => {
  await bed?.close();
  await idps?.stop();
  await redis?.stop();
});

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

async function scrape(): Promise<{
  text: string;
  value(name: string, labels?: Record<string, string>): number;
}> {
  const response = await bed.get('/metrics');
  expect(response.status).toBe(200);
  const text = await response.text();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] ?? ''] = pair[2] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return {
    text,
    value: (name, labels = {}) =>
      samples
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((sum, s) => sum + s.value, 0),
  };
}

async function sessionToken(sub: string): Promise<string> {
  const credentials = await credentialsOf(await bed.assumeWithWebIdentity(await bed.webIdentityToken(sub)));
  return credentials.SessionToken;
}

describe('/metrics: the authorizer cache, the store and revocations', () => {
  it('counts cache hits and misses, evictions by capacity and by revocation, the entries held, and revocations received', async () => {
    const before = await scrape();
    const [a, b, c] = [await sessionToken('ann'), await sessionToken('ben'), await sessionToken('cid')];
    // a: a miss then four hits. The decision memo remembers a session's second decision within a second, so of
    // five requests (less than a second apart) at least three fall in one second: at least one memo hit.
    for (let i = 0; i < 5; i++) expect((await bed.authz({ bearer: a })).status).toBe(200);
    expect((await bed.authz({ bearer: b })).status).toBe(200);
    // c does not fit: the least recently used entry (a) is evicted.
    expect((await bed.authz({ bearer: c })).status).toBe(200);
    // b revokes itself: the revocation reaches this instance over pub/sub and evicts b's entry.
    expect((await bed.revoke(b)).status).toBe(200);
    expect((await bed.authz({ bearer: b })).status).toBe(401);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>): number =>
      after.value(name, labels) - before.value(name, labels);
    expect(delta('fedgate_authz_cache_lookups_total', { cache: 'credentials', outcome: 'hit' })).toBe(4);
    expect(delta('fedgate_authz_cache_lookups_total', { cache: 'credentials', outcome: 'miss' })).toBe(4);
    expect(
      delta('fedgate_authz_cache_lookups_total', { cache: 'decisions', outcome: 'hit' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      delta('fedgate_authz_cache_lookups_total', { cache: 'decisions', outcome: 'miss' }),
    ).toBeGreaterThanOrEqual(3);
    expect(delta('fedgate_authz_cache_evictions_total', { cache: 'credentials', reason: 'capacity' })).toBe(
      1,
    );
    expect(delta('fedgate_authz_cache_evictions_total', { cache: 'credentials', reason: 'revoked' })).toBe(1);
    // Left: c only (a was evicted, b revoked).
    expect(after.value('fedgate_authz_cache_entries', { cache: 'credentials' })).toBe(1);
    expect(delta('fedgate_revocations_received_total', { kind: 'session' })).toBe(1);
    expect(after.value('fedgate_store_up')).toBe(1);
    expect(after.value('fedgate_store_revocation_channel_up')).toBe(1);
    // Prometheus conventions: the gauges are not named _total; counters are.
    expect(after.text).toMatch(/^# TYPE fedgate_authz_cache_entries gauge$/m);
    expect(after.text).toMatch(/^# TYPE fedgate_store_up gauge$/m);
    expect(after.text).toMatch(/^# TYPE fedgate_authz_cache_lookups_total counter$/m);
    expect(after.text).toMatch(/^# TYPE fedgate_revocations_received_total counter$/m);
  });

  it('fedgate_store_up drops to 0 while Redis is down (and /authz answers 503), and is 1 again once it is back', async () => {
    const token = await sessionToken('dee');
    expect((await bed.authz({ bearer: token })).status).toBe(200);
    await redis.kill();
    await expect.poll(async () => (await scrape()).value('fedgate_store_up'), { timeout: 15_000 }).toBe(0);
    const down = await scrape();
    expect(down.value('fedgate_store_revocation_channel_up')).toBe(0);
    expect(down.value('fedgate_authz_cache_entries', { cache: 'credentials' })).toBe(0);
    expect((await bed.authz({ bearer: token })).status).toBe(503);
    await redis.restart();
    await expect.poll(async () => (await scrape()).value('fedgate_store_up'), { timeout: 15_000 }).toBe(1);
  });
});
