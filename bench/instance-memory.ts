/**
 * Memory per gateway instance at 100,000 sessions (issue 19 item 5). A real `fedgate serve` (the build in
 * dist/, a separate process) runs on a private Redis; this script issues SESSIONS role sessions into the same
 * Redis (same key ring, same key-encryption key), then presents every one of them once at /authz, as 100,000
 * people each making a request would. It prints the instance's resident memory and V8 heap (from its own
 * /metrics) before and after, Redis memory per session, and the share of requests allowed.
 *
 *   npm run build && npx tsx bench/instance-memory.ts      (SESSIONS=100000, CONNECTIONS=50 by default)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SessionService, SigningKeyRing } from '../src/sessions/index.js';
import { createRedisStore } from '../src/store/index.js';
import { startRedisServer } from '../test/support/redis-server.js';

const SESSIONS = Number(process.env['SESSIONS'] ?? 100_000);
const CONNECTIONS = Number(process.env['CONNECTIONS'] ?? 50);
const KEK = 'bench-instance-memory-key-encryption-key-0123';
const HOST = 'orders.example.com';
const MiB = 1024 * 1024;

const redis = await startRedisServer();
const dir = await mkdtemp(join(tmpdir(), 'fedgate-instance-memory-'));
const configPath = join(dir, 'gateway.json');
await writeFile(
  configPath,
  JSON.stringify({
    publicUrl: 'https://sso.example.com',
    log: { level: 'warn' },
    audit: { sinks: [] },
    store: { kind: 'redis', url: redis.url, keyPrefix: 'fedgate:' },
    identityProviders: [
      {
        id: 'corp',
        type: 'oidc',
        issuer: 'https://idp.example.com',
        clientId: 'fedgate',
        webIdentityOnly: true,
      },
    ],
    roles: [
      {
        name: 'Developer',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Federated: 'corp' }, Action: 'sts:AssumeRoleWithWebIdentity' },
          ],
        },
        inlinePolicies: {
          Orders: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'orders:GetOrder',
                Resource: 'arn:fedgate:orders:::order/${aws:PrincipalTag/team}/*',
              },
            ],
          },
        },
      },
    ],
    routes: [
      {
        host: HOST,
        methods: ['GET'],
        path: '/orders/:team/:id',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/${team}/${id}',
      },
    ],
  }),
);

// SIGUSR2 writes a heap snapshot, which collects garbage first: the heap read right after is what is live.
const gateway = spawn(
  process.execPath,
  [
    '--heapsnapshot-signal=SIGUSR2',
    join(process.cwd(), 'bin/fedgate.js'),
    'serve',
    '--config',
    configPath,
    '--port',
    '0',
  ],
  {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FEDGATE_KEY_ENCRYPTION_KEY: KEK },
  },
);
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  gateway.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    const found = /open (http:\/\/\S+)\//.exec(out)?.[1];
    if (found !== undefined) resolve(found);
  });
  gateway.once('exit', (code) =>
    reject(new Error(`fedgate serve exited ${String(code)}: run npm run build`)),
  );
});

// A generous command timeout: the issuing side is the load generator here, not what is measured.
const store = createRedisStore({ url: redis.url, keyPrefix: 'fedgate:', commandTimeoutMs: 10_000 });
await store.ping();
const keys = await SigningKeyRing.open({
  store,
  algorithm: 'ES256',
  keyEncryptionKey: KEK,
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
const probe = new Redis(redis.url);
const redisUsed = async (): Promise<number> =>
  Number(/used_memory:(\d+)/.exec(await probe.info('memory'))?.[1]);

interface Memory {
  rss: number;
  heapUsed: number;
}
async function instanceMemory(): Promise<Memory> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string): number =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: metric('process_resident_memory_bytes'), heapUsed: metric('nodejs_heap_size_used_bytes') };
}

/** The instance's memory after a full collection (forced by a heap snapshot, deleted at once). */
async function liveMemory(): Promise<Memory> {
  gateway.kill('SIGUSR2');
  let last = -1;
  for (let attempt = 0; attempt < 600; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const snapshot = (await readdir(dir)).find((name) => name.endsWith('.heapsnapshot'));
    if (snapshot === undefined) continue;
    const { size } = await stat(join(dir, snapshot));
    if (size > 0 && size === last) {
      await rm(join(dir, snapshot));
      return instanceMemory();
    }
    last = size;
  }
  throw new Error('no heap snapshot written');
}

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
function authz(token: string, team: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(
      `${url}/authz/orders/${team}/1`,
      { agent, headers: { host: HOST, authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    )
      .on('error', reject)
      .end();
  });
}

async function presentAll(tokens: readonly { token: string; team: string }[]): Promise<number> {
  let next = 0;
  let allowed = 0;
  const worker = async (): Promise<void> => {
    while (next < tokens.length) {
      const item = tokens[next++];
      if (item !== undefined && (await authz(item.token, item.team)) === 200) allowed++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return allowed;
}

const issue = (i: number) =>
  sessions.issue({
    roleName: 'Developer',
    sessionName: `user${i}@example.com`,
    provider: 'corp',
    subject: `user${i}`,
    tags: { team: `team${i % 50}` },
    transitiveTagKeys: [],
    mfa: true,
    amr: ['pwd', 'mfa'],
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    durationSeconds: 3600,
  });

// Warm: a few sessions through every code path before the baseline.
const warm = await Promise.all(Array.from({ length: 100 }, (_, i) => issue(SESSIONS + i)));
await presentAll(
  warm.map((credential, i) => ({ token: credential.token, team: `team${(SESSIONS + i) % 50}` })),
);
const baseline = await liveMemory();
const redisBefore = await redisUsed();

const started = Date.now();
const tokens: { token: string; team: string }[] = [];
for (let i = 0; i < SESSIONS; i += 200) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(200, SESSIONS - i) }, (_, j) => issue(i + j)),
  );
  batch.forEach((credential, j) => tokens.push({ token: credential.token, team: `team${(i + j) % 50}` }));
}
const issuedMs = Date.now() - started;
const redisAfter = await redisUsed();
const afterIssue = await instanceMemory();
const presentStarted = Date.now();
// In quarters, sampling the instance after each: a bounded instance levels off once its cache is full.
let allowed = 0;
const quarters: { presented: number; memory: Memory }[] = [];
for (let q = 1; q <= 4; q++) {
  const from = Math.floor(((q - 1) * tokens.length) / 4);
  const to = Math.floor((q * tokens.length) / 4);
  allowed += await presentAll(tokens.slice(from, to));
  quarters.push({ presented: to, memory: await liveMemory() });
}
const presentedMs = Date.now() - presentStarted;
const afterTraffic = quarters.at(-1)?.memory ?? afterIssue;

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
console.log(`sessions: ${SESSIONS} (issued in ${(issuedMs / 1000).toFixed(1)} s)`);
console.log(
  `Redis used_memory per session: ${Math.round((redisAfter - redisBefore) / SESSIONS)} bytes; ${mib(redisAfter - redisBefore)} in all`,
);
console.log(
  `each session presented once at /authz: ${allowed} allowed of ${tokens.length} in ${(presentedMs / 1000).toFixed(1)} s`,
);
console.log('gateway instance (fedgate serve, its own /metrics):');
console.log(
  `  warmed up, before the sessions: RSS ${mib(baseline.rss)}, V8 heap used ${mib(baseline.heapUsed)}`,
);
console.log(
  `  sessions in Redis, none presented: RSS ${mib(afterIssue.rss)}, heap ${mib(afterIssue.heapUsed)}`,
);
console.log(
  `  after ${SESSIONS} distinct sessions at /authz: RSS ${mib(afterTraffic.rss)}, heap ${mib(afterTraffic.heapUsed)} (growth ${mib(afterTraffic.rss - baseline.rss)} RSS; the verified-credential cache holds at most authorizer.cacheMaxEntries, default 10,000)`,
);
for (const { presented, memory } of quarters)
  console.log(
    `  after ${presented} sessions presented: RSS ${mib(memory.rss)}, live heap ${mib(memory.heapUsed)}`,
  );
console.log('  (heaps read right after a full collection, forced by a heap snapshot)');
console.log(
  `load average: ${(await import('node:os'))
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')}`,
);

agent.destroy();
gateway.kill('SIGTERM');
await new Promise((resolve) => gateway.once('exit', resolve));
keys.close();
await sessions.close();
await store.close();
probe.disconnect();
await redis.stop();
await rm(dir, { recursive: true, force: true });
process.exit(0);
