/**
 * Soak: minutes of mixed traffic against one gateway on a private redis-server, with the test OIDC IdP.
 *
 *   npx tsx bench/soak.ts [--seconds 120] [--max-requests 500000] [--concurrency 16]
 *   node --expose-gc --import tsx bench/soak.ts --seconds 60      (forced GC before each memory sample)
 *   … --kinds authz,web-identity                                   (a narrower mix)
 *
 * Traffic: web-identity assume-role, chained assume-role, token exchange, /authz over many distinct sessions,
 * and browser logins through the OIDC IdP (its login() HTTP automation). Prints throughput per kind, answers
 * by status, failures, and heap/RSS at start (after a warm-up), middle and end, and whether memory came back
 * flat. Bounded in time and in requests. Exit code 1 when a request failed without an answer or with a 5xx.
 */
import { parseArgs } from 'node:util';
import {
  PEOPLE,
  credentialsOf,
  reservePort,
  startBedIdps,
  startFederationBed,
  type FederationBed,
} from '../test/integration/faults/federation-bed.js';
import { startRedisServer } from '../test/support/redis-server.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    'max-requests': { type: 'string', default: '500000' },
    concurrency: { type: 'string', default: '16' },
    kinds: { type: 'string', default: 'authz,web-identity,chained,exchange,browser-login' },
  },
});
const SECONDS = Number(values.seconds);
const MAX_REQUESTS = Number(values['max-requests']);
const CONCURRENCY = Number(values.concurrency);
/** Distinct sessions /authz draws from; the pool is full before the first memory sample, so it is not a growth. */
const SESSION_POOL = 2000;
/** Memory is "flat" when the heap after GC grew by less than this between the warm start and the end. */
const FLAT_HEAP_GROWTH_BYTES = 16 * 1024 * 1024;
const EXTRA_PEOPLE = 50;

type Kind = 'authz' | 'web-identity' | 'chained' | 'exchange' | 'browser-login';
/** Share of each kind in the mix (authz is the hot path, logins the rare heavy one). */
const FULL_MIX: readonly (readonly [Kind, number])[] = [
  ['authz', 0.6],
  ['web-identity', 0.15],
  ['chained', 0.1],
  ['exchange', 0.1],
  ['browser-login', 0.05],
];
/** `--kinds` narrows the mix (to tell which traffic a memory growth comes from); shares are renormalised. */
const CHOSEN = FULL_MIX.filter(([kind]) => values.kinds.split(',').includes(kind));
const CHOSEN_TOTAL = CHOSEN.reduce((sum, [, share]) => sum + share, 0);
const MIX = CHOSEN.map(([kind, share]) => [kind, share / CHOSEN_TOTAL] as const);

interface KindStats {
  count: number;
  readonly statuses: Map<number, number>;
  failures: number;
  readonly latencies: number[];
}

interface MemorySample {
  readonly label: string;
  readonly heapUsed: number;
  readonly rss: number;
}

const stats = new Map<Kind, KindStats>(
  MIX.map(([kind]) => [kind, { count: 0, statuses: new Map(), failures: 0, latencies: [] }]),
);
const failureSamples: string[] = [];

function pickKind(): Kind {
  let roll = Math.random();
  for (const [kind, share] of MIX) {
    roll -= share;
    if (roll <= 0) return kind;
  }
  return MIX[0]?.[0] ?? 'authz';
}

function record(kind: Kind, status: number, ms: number): void {
  const entry = stats.get(kind);
  if (entry === undefined) return;
  entry.count += 1;
  entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
  // A bounded reservoir keeps percentiles cheap over millions of requests.
  if (entry.latencies.length < 20_000) entry.latencies.push(ms);
  else entry.latencies[Math.floor(Math.random() * 20_000)] = ms;
}

function fail(kind: Kind, error: unknown): void {
  const entry = stats.get(kind);
  if (entry !== undefined) entry.failures += 1;
  if (failureSamples.length < 5)
    failureSamples.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
}

async function sample(label: string): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  const usage = process.memoryUsage();
  return { label, heapUsed: usage.heapUsed, rss: usage.rss };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  const redis = await startRedisServer();
  const port = await reservePort();
  const idps = await startBedIdps(port, EXTRA_PEOPLE);
  const bed: FederationBed = await startFederationBed({
    idps,
    port,
    redisUrl: redis.url,
    keepAudit: false,
    // The authorizer's cache is bounded; sized to the session pool it is full before the first memory sample,
    // so what is measured is growth beyond the bounded caches.
    authorizerCacheMaxEntries: SESSION_POOL,
  });
  const people = [...PEOPLE, ...Array.from({ length: EXTRA_PEOPLE }, (_, i) => `user${i}`)];
  const person = (): string => people[Math.floor(Math.random() * people.length)] ?? 'alice';
  const sessions: string[] = [];
  const remember = (token: string): void => {
    if (sessions.length < SESSION_POOL) sessions.push(token);
    else sessions[Math.floor(Math.random() * SESSION_POOL)] = token;
  };
  const anySession = (): string => sessions[Math.floor(Math.random() * sessions.length)] ?? '';

  console.log(
    `fedgate soak: ${SECONDS} s, at most ${MAX_REQUESTS} requests, ${CONCURRENCY} concurrent clients`,
  );
  console.log(`gateway ${bed.url} on redis ${redis.url}; OIDC IdP ${idps.oidc.issuer}`);
  console.log(
    `forced GC before samples: ${typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'yes' : 'no (run with --expose-gc)'}`,
  );
  // Fill the pool before measuring: /authz sees many distinct sessions from the first second.
  const seeded = Array.from({ length: SESSION_POOL });
  for (let i = 0; i < seeded.length; i += CONCURRENCY * 4) {
    await Promise.all(
      seeded
        .slice(i, i + CONCURRENCY * 4)
        .map(async () =>
          remember(
            (await credentialsOf(await bed.assumeWithWebIdentity(await bed.webIdentityToken(person()))))
              .SessionToken,
          ),
        ),
    );
  }
  // …and present each once at /authz, so the authorizer's bounded cache is full before the first sample.
  for (let i = 0; i < sessions.length; i += CONCURRENCY * 4) {
    await Promise.all(
      sessions.slice(i, i + CONCURRENCY * 4).map(async (token) => {
        await (await bed.authz({ bearer: token }, '1')).arrayBuffer();
      }),
    );
  }
  const baseline = await sample(`before traffic (${sessions.length} sessions)`);

  async function one(kind: Kind): Promise<void> {
    const started = performance.now();
    let status: number;
    switch (kind) {
      case 'authz': {
        const response = await bed.authz({ bearer: anySession() }, String(Math.floor(Math.random() * 1000)));
        await response.arrayBuffer();
        status = response.status;
        break;
      }
      case 'web-identity': {
        const response = await bed.assumeWithWebIdentity(await bed.webIdentityToken(person()));
        status = response.status;
        if (status === 200) remember((await credentialsOf(response)).SessionToken);
        else await response.arrayBuffer();
        break;
      }
      case 'chained': {
        const response = await bed.assumeChained(anySession());
        status = response.status;
        await response.arrayBuffer();
        break;
      }
      case 'exchange': {
        const response = await bed.exchange(anySession());
        status = response.status;
        await response.arrayBuffer();
        break;
      }
      case 'browser-login': {
        const cookies = await bed.browserLogin(person());
        status = cookies['fedgate_session'] === undefined ? 0 : 200;
        const cookie = cookies['fedgate_session'];
        if (cookie !== undefined) remember(cookie);
        break;
      }
    }
    record(kind, status, performance.now() - started);
  }

  const startedAt = Date.now();
  const deadline = startedAt + SECONDS * 1000;
  let issued = 0;
  const samples: MemorySample[] = [];
  let startTaken = false;
  let middleTaken = false;
  const sampler = setInterval(() => {
    const elapsed = Date.now() - startedAt;
    if (!startTaken && elapsed >= SECONDS * 100) {
      startTaken = true;
      void sample('start (after 10% warm-up)').then((s) => samples.push(s));
    } else if (!middleTaken && elapsed >= SECONDS * 500) {
      middleTaken = true;
      void sample('middle').then((s) => samples.push(s));
    }
  }, 250);

  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < deadline && issued < MAX_REQUESTS) {
        issued += 1;
        const kind = pickKind();
        try {
          await one(kind);
        } catch (error) {
          fail(kind, error);
        }
      }
    }),
  );
  clearInterval(sampler);
  const elapsedSeconds = (Date.now() - startedAt) / 1000;
  // Let timers and sockets of the last requests settle before the end sample.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  samples.push(await sample('end'));

  console.log(
    `\n${issued} requests in ${elapsedSeconds.toFixed(1)} s (${(issued / elapsedSeconds).toFixed(0)} req/s overall)`,
  );
  console.log('kind            count    req/s   p50 ms   p99 ms   answers by status                failures');
  let serverErrors = 0;
  let failures = 0;
  for (const [kind, entry] of stats) {
    const byStatus = [...entry.statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    serverErrors += [...entry.statuses].filter(([s]) => s >= 500).reduce((sum, [, n]) => sum + n, 0);
    failures += entry.failures;
    console.log(
      `${kind.padEnd(15)} ${String(entry.count).padStart(6)} ${(entry.count / elapsedSeconds).toFixed(1).padStart(8)} ${percentile(entry.latencies, 50).toFixed(1).padStart(8)} ${percentile(entry.latencies, 99).toFixed(1).padStart(8)}   ${byStatus.padEnd(32)} ${entry.failures}`,
    );
  }
  for (const line of failureSamples) console.log(`  failure: ${line}`);

  console.log('\nmemory (heapUsed / rss):');
  for (const s of [baseline, ...samples])
    console.log(`  ${s.label.padEnd(28)} ${mb(s.heapUsed).padStart(10)} / ${mb(s.rss)}`);
  const start = samples.find((s) => s.label.startsWith('start'));
  const end = samples.find((s) => s.label === 'end');
  if (start !== undefined && end !== undefined) {
    const growth = end.heapUsed - start.heapUsed;
    const flat = growth < FLAT_HEAP_GROWTH_BYTES;
    console.log(
      `heap growth start → end: ${mb(growth)}; memory came back flat: ${flat ? 'yes' : 'NO'} (threshold ${mb(FLAT_HEAP_GROWTH_BYTES)})`,
    );
  }
  console.log(`5xx answers: ${serverErrors}; requests without an answer: ${failures}`);

  await bed.close();
  await idps.stop();
  await redis.stop();
  process.exitCode = serverErrors > 0 || failures > 0 ? 1 : 0;
}

await main();
