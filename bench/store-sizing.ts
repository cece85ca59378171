/**
 * Sizing (issue 19): bytes per role session in Redis (record, indexes) measured with INFO used_memory over
 * `SESSIONS` real sessions issued through SessionService, extrapolated to 100,000; and the key families
 * fedgate wrote, each with its TTL. Run: `npx tsx bench/store-sizing.ts` (needs redis-server on PATH).
 */
import { Redis } from 'ioredis';
import { SessionService, SigningKeyRing } from '../src/sessions/index.js';
import { createRedisStore } from '../src/store/index.js';
import { startRedisServer } from '../test/support/redis-server.js';

const SESSIONS = Number(process.env['SESSIONS'] ?? 5_000);

const redis = await startRedisServer();
const client = new Redis(redis.url);
const store = createRedisStore({ url: redis.url, keyPrefix: 'fedgate:' });
await store.ping();
const keys = await SigningKeyRing.open({
  store,
  algorithm: 'ES256',
  keyEncryptionKey: 'bench-key-encryption-key-0123456789abcdef',
  rotationIntervalSeconds: 86_400,
  maxTokenLifetimeSeconds: 43_200,
});
const sessions = new SessionService({
  store,
  keys,
  issuer: 'https://sso.example.com',
  partition: 'fedgate',
  account: '000000000000',
});
const used = async (): Promise<number> => Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
const before = await used();
for (let i = 0; i < SESSIONS; i += 100)
  await Promise.all(
    Array.from({ length: Math.min(100, SESSIONS - i) }, (_, j) =>
      sessions.issue({
        roleName: `Role${(i + j) % 10}`,
        sessionName: `user${i + j}@example.com`,
        provider: 'corp',
        subject: `user${i + j}`,
        tags: { team: 'payments', costCenter: 'cc-1234' },
        transitiveTagKeys: [],
        mfa: true,
        amr: ['pwd', 'mfa'],
        chain: 0,
        sessionPolicies: [],
        hasSessionPolicy: false,
        audience: 'fedgate',
        durationSeconds: 3600,
      }),
    ),
  );
const after = await used();
const perSession = (after - before) / SESSIONS;
console.log(`sessions issued: ${SESSIONS}`);
console.log(
  `Redis used_memory per session: ${Math.round(perSession)} bytes (record + role/subject/all index entries)`,
);
console.log(`extrapolated to 100,000 sessions: ${((perSession * 100_000) / 1024 / 1024).toFixed(1)} MiB`);
const families = new Map<string, number>();
let cursor = '0';
do {
  const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
  cursor = next;
  for (const key of batch) {
    const family = key.replace(/\{[^}]*\}|user\d+|Role\d|\d+$/g, '*');
    if (!families.has(family)) families.set(family, await client.pttl(key));
  }
} while (cursor !== '0');
for (const [family, ttl] of [...families].sort())
  console.log(`${family}\t${ttl < 0 ? 'no TTL' : `TTL ${Math.round(ttl / 1000)} s`}`);
keys.close();
await sessions.close();
await store.close();
client.disconnect();
await redis.stop();
process.exit(0);
