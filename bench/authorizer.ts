/**
 * The authorizer's hot path against a bare node:http "200 OK" server, measured in the same run.
 *
 *   npm run build && npx tsx bench/authorizer.ts   (BENCH_SECONDS=10 BENCH_CONNECTIONS=50 by default;
 *                                                   BENCH_SCENARIOS=a,b1,b3,b2; BENCH_FROM_SOURCE=1 for src/ via tsx)
 *
 * Scenarios: (a) bare node:http hello world; (b1) /authz with one hot session; (b2) /authz with 10,000
 * distinct sessions; (b3) /authz with one hot SigV4-signed request (signed by @smithy/signature-v4 with the hot
 * session's credential: the session cached, its derived signing key cached, the signature verified in full on
 * every request); all (b) over a 20-statement ABAC policy set with the Redis store (a private
 * redis-server; the embedded store when none is installed, said so in the output). Load comes from wrk when
 * /usr/bin/wrk exists, else from a Node client with keep-alive agents. Every distinct session is verified
 * once before measuring (steady state). Prints requests/s, p50, p99 and b/a. b1r/b2r are b1/b2 with the activity
 * record (issue 15) on, measured in the same run; the cost of recording is printed as a share of throughput.
 */
import { execFile } from 'node:child_process';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import type * as AccessAnalysisModule from '../src/access-analysis/index.js';
import type * as AuthorizerModule from '../src/authorizer/index.js';
import type * as ConfigModule from '../src/config/index.js';
import type * as GatewayStateModule from '../src/gateway-state/index.js';
import type * as HttpModule from '../src/http/index.js';
import type * as RolesModule from '../src/roles/index.js';
import type * as SessionsModule from '../src/sessions/index.js';
import type * as StoreModule from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { startRedisServer, type RedisServerHandle } from '../test/support/redis-server.js';

// The gateway as `fedgate serve` runs it: the compiled build in dist/ (tsx's on-the-fly transpilation costs the
// hot path dearly). BENCH_FROM_SOURCE=1 measures src/ through tsx instead.
const FROM = process.env['BENCH_FROM_SOURCE'] === '1' ? '../src' : '../dist';
async function gatewayModule<T>(path: string): Promise<T> {
  try {
    return (await import(`${FROM}/${path}`)) as T;
  } catch (error) {
    throw new Error(`cannot load ${FROM}/${path}: run \`npm run build\` first (${String(error)})`);
  }
}
const { createAuthorizer } = await gatewayModule<typeof AuthorizerModule>('authorizer/index.js');
const { loadConfig } = await gatewayModule<typeof ConfigModule>('config/index.js');
const { compileAuthorizerRouting } = await gatewayModule<typeof GatewayStateModule>('gateway-state/index.js');
const { BufferedActivityRecorder } =
  await gatewayModule<typeof AccessAnalysisModule>('access-analysis/index.js');
const { createAuthzHandler, listen } = await gatewayModule<typeof HttpModule>('http/index.js');
const { PolicyCatalog } = await gatewayModule<typeof RolesModule>('roles/index.js');
const { SessionService, SigningKeyRing } = await gatewayModule<typeof SessionsModule>('sessions/index.js');
const { createMemoryStore, createRedisStore } = await gatewayModule<typeof StoreModule>('store/index.js');

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const DISTINCT_SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 10_000);
const WRK = '/usr/bin/wrk';
const HOST = 'orders.example.com';
const PATH = '/authz/orders/42';

interface Figures {
  readonly name: string;
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly non2xx: number;
}

/** 20 statements: tag-, resource-tag-, IP-, MFA-, time- and path-conditioned allows and denies. */
function benchConfig(): Record<string, unknown> {
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'ReadOwnTeam',
      Effect: 'Allow',
      Action: 'orders:GetOrder',
      Resource: 'arn:fedgate:orders:::order/*',
      Condition: {
        StringEquals: { 'aws:ResourceTag/owner': '${aws:PrincipalTag/team}' },
        IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '10.0.0.0/8'] },
      },
    },
    {
      Sid: 'DenyQuarantined',
      Effect: 'Deny',
      Action: 'orders:*',
      Resource: 'arn:fedgate:orders:::order/666',
    },
    {
      Sid: 'DenyPlaintextWrites',
      Effect: 'Deny',
      Action: ['orders:Delete*', 'orders:Put*'],
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ];
  for (let i = 0; i < 17; i++) {
    statements.push({
      Sid: `Service${i}`,
      Effect: i % 5 === 0 ? 'Deny' : 'Allow',
      Action: [`svc${i}:Get*`, `svc${i}:List*`],
      Resource: `arn:fedgate:svc${i}:::item/\${aws:PrincipalTag/team}/*`,
      Condition: {
        StringLike: { 'fedgate:RequestPath': `/svc${i}/*` },
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      },
    });
  }
  const trust = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Federated: 'corp' }, Action: 'sts:AssumeRoleWithWebIdentity' },
    ],
  };
  return {
    publicUrl: 'https://sso.example.com',
    trustProxies: ['127.0.0.1/32'],
    identityProviders: [
      {
        id: 'corp',
        type: 'oidc',
        issuer: 'https://idp.example.com',
        clientId: 'fedgate',
        webIdentityOnly: true,
      },
    ],
    authorizer: { cacheMaxEntries: 20_000, cacheTtl: 60 },
    policies: { Abac: { Version: '2012-10-17', Statement: statements } },
    roles: [{ name: 'Developer', trustPolicy: trust, policies: ['Abac'] }],
    resources: [{ arn: 'arn:fedgate:orders:::order/*', tags: { owner: 'payments' } }],
    routes: [
      {
        host: HOST,
        methods: ['GET'],
        path: '/orders/:orderId',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/${orderId}',
      },
    ],
  };
}

/** SHA-256 for @smithy/signature-v4 from node:crypto. */
class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** The headers of one GET of the bench route signed (AWS4-HMAC-SHA256, header form) with a fedgate credential. */
async function sigv4Headers(credential: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: credential,
    region: 'us-east-1',
    service: 'orders',
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: HOST,
      path: PATH.slice('/authz'.length),
      headers: { host: HOST },
    }),
  );
  const { host: _host, ...headers } = signed.headers;
  return headers;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function runWrk(
  name: string,
  url: string,
  tokens: readonly string[],
  dir: string,
  fixed: Record<string, string> = {},
): Promise<Figures> {
  const script = join(dir, `${name.replace(/\W+/g, '-')}.lua`);
  // One token goes in static headers: a Lua request() per request would cost wrk CPU the bare run does not pay.
  const lua =
    tokens.length <= 1
      ? ''
      : `local tokens = {${tokens.map((t) => `"${t}"`).join(',')}}
local n = #tokens
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", nil, { ["Host"] = "${HOST}", ["Authorization"] = "Bearer " .. tokens[(i % n) + 1] }, nil)
end
`;
  await writeFile(script, lua);
  const headers = [
    '-H',
    `Host: ${HOST}`,
    ...(tokens.length === 1 ? ['-H', `Authorization: Bearer ${tokens[0]}`] : []),
    ...Object.entries(fixed).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
  ];
  const args = [
    '-t',
    '2',
    '-c',
    String(CONNECTIONS),
    '-d',
    `${SECONDS}s`,
    '--latency',
    ...headers,
    '-s',
    script,
    url,
  ];
  const { stdout } = await promisify(execFile)(WRK, args, { maxBuffer: 16 * 1024 * 1024 });
  const number = (pattern: RegExp): number => Number(pattern.exec(stdout)?.[1] ?? NaN);
  const latency = (label: string): number => {
    const match = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    if (match === null) return NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  return {
    name,
    rps: number(/Requests\/sec:\s+([\d.]+)/),
    p50ms: latency('50'),
    p99ms: latency('99'),
    non2xx: number(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
  };
}

async function runNodeClient(
  name: string,
  url: string,
  tokens: readonly string[],
  fixed: Record<string, string> = {},
): Promise<Figures> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const target = new URL(url);
  const latencies: number[] = [];
  let non2xx = 0;
  let i = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const token = tokens.length === 0 ? undefined : tokens[i++ % tokens.length];
      const started = process.hrtime.bigint();
      const req = request(
        target,
        {
          agent,
          headers: {
            host: HOST,
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
            ...fixed,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if ((res.statusCode ?? 0) >= 300) non2xx++;
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline) await one();
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { name, rps: latencies.length / elapsed, p50ms: at(0.5), p99ms: at(0.99), non2xx };
}

async function warmUp(url: string, tokens: readonly string[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tokens.length) {
      const token = tokens[next++];
      await new Promise<void>((resolve, reject) => {
        request(url, { agent, headers: { host: HOST, authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
}

async function main(): Promise<void> {
  const useWrk = await exists(WRK);
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-bench-'));
  const configPath = join(dir, 'gateway.json');
  await writeFile(configPath, JSON.stringify(benchConfig()));
  const config = await loadConfig(configPath, { env: {} });

  let redis: RedisServerHandle | undefined;
  let store: Store;
  try {
    redis = await startRedisServer();
    store = createRedisStore({ url: redis.url, keyPrefix: 'fedgate:' });
  } catch (error) {
    console.log(`redis-server unavailable (${(error as Error).message}); using the embedded store`);
    store = createMemoryStore();
  }
  await store.ping();
  const keys = await SigningKeyRing.open({
    store,
    algorithm: 'ES256',
    ...(store.kind === 'redis' ? { keyEncryptionKey: 'bench-key-encryption-key-0123456789abcdef' } : {}),
    rotationIntervalSeconds: 86_400,
    maxTokenLifetimeSeconds: 43_200,
  });
  const sessions = new SessionService({
    store,
    keys,
    issuer: config.publicUrl,
    partition: config.partition,
    account: config.account,
  });
  await sessions.start();
  const catalog = PolicyCatalog.fromConfig(config);
  const routing = compileAuthorizerRouting(config);
  const authorizer = createAuthorizer({
    routing: () => routing,
    getCatalog: () => catalog,
    sessions,
    keys,
    store,
  });
  const authzServer = await listen(createAuthzHandler({ authorizer }), '127.0.0.1', 0);
  // The same authorizer with the activity record (issue 15), flushing to the same store every 5 s.
  const activity = new BufferedActivityRecorder({
    store,
    retentionSeconds: 400 * 86_400,
    flushIntervalSeconds: 5,
    maxActionsPerRole: 500,
    maxResourcesPerAction: 200,
  });
  const recordingAuthorizer = createAuthorizer({
    routing: () => routing,
    getCatalog: () => catalog,
    sessions,
    keys,
    store,
    activity,
  });
  const recordingServer = await listen(
    createAuthzHandler({ authorizer: recordingAuthorizer }),
    '127.0.0.1',
    0,
  );
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end('OK');
  });
  const bareServer = await listen((req, res) => bare.emit('request', req, res), '127.0.0.1', 0);

  const issue = (i: number) =>
    sessions.issue({
      roleName: 'Developer',
      sessionName: `user${i}`,
      provider: 'corp',
      subject: `user${i}`,
      tags: { team: 'payments' },
      transitiveTagKeys: [],
      mfa: true,
      amr: ['pwd', 'otp'],
      chain: 0,
      sessionPolicies: [],
      hasSessionPolicy: false,
      audience: 'fedgate',
      durationSeconds: 3600,
    });
  const hotCredential = await issue(0);
  const hot = [hotCredential.token];
  const many: string[] = [];
  for (let batch = 0; batch < DISTINCT_SESSIONS; batch += 200) {
    const issued = await Promise.all(
      Array.from({ length: Math.min(200, DISTINCT_SESSIONS - batch) }, (_, k) => issue(batch + k + 1)),
    );
    many.push(...issued.map((credential) => credential.token));
  }

  const authzUrl = `${authzServer.url}${PATH}`;
  const probe = await new Promise<number>((resolve, reject) => {
    request(authzUrl, { headers: { host: HOST, authorization: `Bearer ${hot[0]}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  if (probe !== 200) throw new Error(`the hot session is not allowed (${probe}): fix the bench config`);
  // Signed once: wrk sends the same headers on every request, well within the 15-minute skew of a run.
  const signed = await sigv4Headers({
    accessKeyId: hotCredential.accessKeyId,
    secretAccessKey: hotCredential.secretAccessKey,
    sessionToken: hotCredential.token,
  });
  const signedProbe = await new Promise<number>((resolve, reject) => {
    request(authzUrl, { headers: { host: HOST, ...signed } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
  if (signedProbe !== 200) throw new Error(`the SigV4-signed request is not allowed (${signedProbe})`);

  // Steady state: every distinct session verified once (as after the first minute of real traffic).
  await warmUp(authzUrl, many);
  const recordingUrl = `${recordingServer.url}${PATH}`;
  await warmUp(recordingUrl, many);

  const run = (name: string, url: string, tokens: readonly string[], fixed: Record<string, string> = {}) =>
    useWrk ? runWrk(name, url, tokens, dir, fixed) : runNodeClient(name, url, tokens, fixed);
  // BENCH_SCENARIOS=b1 (say) runs only some scenarios, e.g. to profile one with --cpu-prof.
  const only = (process.env['BENCH_SCENARIOS'] ?? 'a,b1,b3,b1r,b2,b2r').split(',');
  const results: Figures[] = [];
  if (only.includes('a')) results.push(await run('a) bare node:http 200 OK', `${bareServer.url}/`, hot));
  if (only.includes('b1')) results.push(await run('b1) /authz, one hot session', authzUrl, hot));
  if (only.includes('b3'))
    results.push(await run('b3) /authz, SigV4, one hot credential', authzUrl, [], signed));
  if (only.includes('b1r')) results.push(await run('b1r) b1 + activity record', recordingUrl, hot));
  if (only.includes('b2')) results.push(await run(`b2) /authz, ${many.length} sessions`, authzUrl, many));
  if (only.includes('b2r')) results.push(await run('b2r) b2 + activity record', recordingUrl, many));

  console.log(
    `\nload: ${useWrk ? 'wrk' : 'Node keep-alive client'}, ${CONNECTIONS} connections, ${SECONDS} s each; store: ${store.kind}; ` +
      `policy: 20 statements; gateway code: ${FROM.slice(3)}/; node ${process.version}\n`,
  );
  const base = results[0]!;
  console.log('scenario                              req/s      p50 ms   p99 ms   non-2xx   ratio vs a');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(36)} ${r.rps.toFixed(0).padStart(8)} ${r.p50ms.toFixed(2).padStart(10)} ${r.p99ms
        .toFixed(2)
        .padStart(8)} ${String(r.non2xx).padStart(9)}   ${(r.rps / base.rps).toFixed(2).padStart(6)}`,
    );
  }

  const byName = (prefix: string) => results.find((r) => r.name.startsWith(prefix));
  const bearer = byName('b1)');
  const sigv4 = byName('b3)');
  if (bearer !== undefined && sigv4 !== undefined)
    console.log(
      `SigV4 vs bearer (b3/b1): ${(sigv4.rps / bearer.rps).toFixed(2)}; SigV4 vs bare node:http (b3/a): ${(sigv4.rps / base.rps).toFixed(2)} (target >= 0.6)`,
    );
  for (const [plain, recorded] of [
    ['b1)', 'b1r)'],
    ['b2)', 'b2r)'],
  ] as const) {
    const p = byName(plain);
    const r = byName(recorded);
    if (p !== undefined && r !== undefined)
      console.log(
        `activity record cost, ${plain.slice(0, -1)}: ${((1 - r.rps / p.rps) * 100).toFixed(1)} % of throughput (target <= 5 %)`,
      );
  }

  await recordingServer.close(100);
  recordingAuthorizer.close();
  await activity.close();
  await authzServer.close(100);
  await bareServer.close(100);
  authorizer.close();
  await sessions.close();
  keys.close();
  await store.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
