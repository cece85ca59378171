/**
 * Session credential throughput against a private redis-server: SessionService.issue (sign + store
 * writes) and SessionService.verify (signature + store read), beside a bare jose ES256 sign/verify loop
 * measured in the same run with the same key and claims. Run: `npx tsx bench/sessions.ts`.
 * Environment: BENCH_SECONDS (per phase, default 6), BENCH_CONCURRENCY (default 32).
 */
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { jwtVerify, SignJWT } from 'jose';
import { claimsFor, SESSION_TOKEN_TYPE, SessionService, SigningKeyRing } from '../src/sessions/index.js';
import type { RoleSessionInput } from '../src/sessions/index.js';
import { createRedisStore } from '../src/store/index.js';
import { startRedisServer } from '../test/support/redis-server.js';

const PHASE_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 6);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const WARMUP_SECONDS = 0.5;
const ISSUER = 'https://fedgate.bench.example';

interface PhaseResult {
  readonly name: string;
  readonly operations: number;
  readonly perSecond: number;
  readonly medianMs: number;
  readonly p99Ms: number;
}

/** Runs `operation` with `concurrency` in flight for `seconds`, after a short unmeasured warm-up. */
async function phase(name: string, operation: (i: number) => Promise<unknown>): Promise<PhaseResult> {
  await runFor(WARMUP_SECONDS, operation, []);
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  await runFor(PHASE_SECONDS, operation, latencies);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return {
    name,
    operations: latencies.length,
    perSecond: latencies.length / elapsed,
    medianMs: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
  };
}

async function runFor(
  seconds: number,
  operation: (i: number) => Promise<unknown>,
  latencies: number[],
): Promise<void> {
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      await operation(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function sessionInput(i: number): RoleSessionInput {
  return {
    roleName: 'bench-reader',
    sessionName: `user${i % 1000}@example.com`,
    provider: 'bench-idp',
    subject: `user${i % 1000}`,
    tags: { team: 'platform', project: 'fedgate' },
    transitiveTagKeys: ['team'],
    mfa: true,
    amr: ['pwd', 'mfa'],
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    durationSeconds: 3600,
  };
}

function redisVersion(): string {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? '?';
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const redis = await startRedisServer();
  const store = createRedisStore({ url: redis.url, keyPrefix: 'bench:' });
  let keys: SigningKeyRing | undefined;
  try {
    await store.ping();
    keys = await SigningKeyRing.open({
      store,
      algorithm: 'ES256',
      keyEncryptionKey: randomBytes(32).toString('base64url'),
      rotationIntervalSeconds: 86_400,
      maxTokenLifetimeSeconds: 12 * 3600,
    });
    const sessions = new SessionService({
      store,
      keys,
      issuer: ISSUER,
      partition: 'aws',
      account: '123456789012',
    });

    // The same key and the same claims for the bare jose loop.
    const key = await keys.currentKey();
    const published = await keys.publishedKey(key.kid);
    if (published === undefined) throw new Error('current key is not published');
    const sample = await sessions.issue(sessionInput(0));
    const claims = claimsFor(sample.session, ISSUER);
    const header = { alg: key.alg, kid: key.kid, typ: SESSION_TOKEN_TYPE };
    const bareToken = await new SignJWT({ ...claims }).setProtectedHeader(header).sign(key.privateKey);

    const results: PhaseResult[] = [];
    results.push(
      await phase('jose sign (ES256, bare)', () =>
        new SignJWT({ ...claims }).setProtectedHeader(header).sign(key.privateKey),
      ),
    );
    results.push(
      await phase('jose verify (ES256, bare)', () =>
        jwtVerify(bareToken, published.key, {
          algorithms: [published.alg],
          issuer: ISSUER,
          typ: SESSION_TOKEN_TYPE,
        }),
      ),
    );
    const issued: string[] = [];
    results.push(
      await phase('SessionService.issue', async (i) => {
        const credential = await sessions.issue(sessionInput(i));
        if (issued.length < 10_000) issued.push(credential.token);
      }),
    );
    results.push(
      await phase('SessionService.verify', (i) => sessions.verify(issued[i % issued.length] ?? sample.token)),
    );

    printTable(results);
  } finally {
    keys?.close();
    await store.close();
    await redis.stop();
  }
}

function printTable(results: readonly PhaseResult[]): void {
  const by = (name: string): PhaseResult | undefined => results.find((result) => result.name === name);
  console.log(
    `fedgate bench/sessions — node ${process.version}, redis ${redisVersion()} (private, loopback), ` +
      `concurrency ${CONCURRENCY}, ${PHASE_SECONDS} s per phase`,
  );
  console.log('');
  const rows = results.map((r) => [
    r.name,
    String(r.operations),
    r.perSecond.toFixed(0),
    r.medianMs.toFixed(3),
    r.p99Ms.toFixed(3),
  ]);
  const head = ['operation', 'ops', 'ops/s', 'median ms', 'p99 ms'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  console.log('');
  const ratio = (a: string, b: string): string => {
    const x = by(a);
    const y = by(b);
    return x === undefined || y === undefined ? '?' : (x.perSecond / y.perSecond).toFixed(2);
  };
  console.log(
    `issue  / bare sign   throughput ratio: ${ratio('SessionService.issue', 'jose sign (ES256, bare)')}`,
  );
  console.log(
    `verify / bare verify throughput ratio: ${ratio('SessionService.verify', 'jose verify (ES256, bare)')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
