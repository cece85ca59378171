/**
 * The authorizer's hot path against a bare node:http "200 OK" server, measured in the same run.
 *
 *   npm run build && npx tsx bench/authorizer.ts   (BENCH_SECONDS=10 BENCH_CONNECTIONS=50 BENCH_B_ROUNDS=3 by default;
 *                                                   BENCH_SCENARIOS=a,b1,b3,b2; BENCH_FROM_SOURCE=1 for src/ via tsx)
 *
 * Scenarios: (a) bare node:http hello world; (b1) /authz with one hot session; (b2) /authz with 10,000
 * distinct sessions; (b3) /authz with one hot SigV4-signed request (signed by @smithy/signature-v4 with the hot
 * session's credential: the session cached, its derived signing key cached, the signature verified in full on
 * every request); (a3) the bare server sent b3's signed request, whose larger headers cost node:http more; (f3) the
 * floor under b3: a node:http server that only verifies b3's signature (cached signing key) and writes b3's
 * allowed answer, which no authorizer can beat; all (b) over a 20-statement ABAC policy set with the Redis store (a private
 * redis-server; the embedded store when none is installed, said so in the output). Load comes from wrk when
 * /usr/bin/wrk exists, else from a Node client with keep-alive agents. Every distinct session is verified
 * once before measuring (steady state). The scenarios run in BENCH_B_ROUNDS interleaved rounds; prints the median
 * requests/s, p50 and p99 over rounds and the median of each round's own ratio to (a), with the rounds' ratios. b1r/b2r are b1/b2 with the activity
 * record (issue 15) on, measured in the same run; the cost of recording is printed as a share of throughput.
 * (real) is the hot path as a real proxy calls it, `fedgate serve` in its own process (see realisticProxy below);
 * BENCH_SCENARIOS=real runs only it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSecretKey } from 'node:crypto';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type * as AccessAnalysisModule from '../src/access-analysis/index.js';
import type * as AuthorizerModule from '../src/authorizer/index.js';
import type * as ConfigModule from '../src/config/index.js';
import type * as GatewayStateModule from '../src/gateway-state/index.js';
import type * as HttpModule from '../src/http/index.js';
import type * as RolesModule from '../src/roles/index.js';
import type * as SessionsModule from '../src/sessions/index.js';
import type * as SigV4Module from '../src/sigv4/index.js';
import type * as StoreModule from '../src/store/index.js';
import type { Store } from '../src/store/index.js';
import { NodeSha256 } from '../test/support/node-sha256.js';
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
const sigv4Lib = await gatewayModule<typeof SigV4Module>('sigv4/index.js');

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const DISTINCT_SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 10_000);
const ROUNDS = Number(process.env['BENCH_B_ROUNDS'] ?? 3);
const WRK = '/usr/bin/wrk';
const HOST = 'orders.example.com';
const PATH = '/authz/orders/42';

interface Figures {
  readonly name: string;
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly non2xx: number;
  /** The server process's CPU time (user + system) per request, in µs, where it can be read (Linux /proc). */
  readonly cpuUsPerRequest?: number;
  /** Requests completed in the run (wrk). */
  readonly requests?: number;
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
  return wrkFigures(name, stdout);
}

/** The figures of one wrk run, read off its `--latency` output. */
function wrkFigures(name: string, stdout: string): Figures {
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
    requests: number(/(\d+) requests in /),
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
  const signedProbe = await new Promise<{ status: number; headers: IncomingHttpHeaders }>(
    (resolve, reject) => {
      request(authzUrl, { headers: { host: HOST, ...signed } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      })
        .on('error', reject)
        .end();
    },
  );
  if (signedProbe.status !== 200)
    throw new Error(`the SigV4-signed request is not allowed (${signedProbe.status})`);
  // (f3) The floor under b3: node:http, the signature verified in full with a cached signing key, and b3's own
  // allowed answer written back. No route, no forwarded headers, no session, no decision: less than any
  // authorizer must do, so b3 cannot be faster than this on this machine.
  const floorKey = createSecretKey(
    sigv4Lib.deriveSigningKey(hotCredential.secretAccessKey, {
      date: signed['x-amz-date']!.slice(0, 8),
      region: 'us-east-1',
      service: 'orders',
    }),
  );
  const floorPayload = { candidates: [sigv4Lib.EMPTY_PAYLOAD_SHA256] };
  const floorAnswer = Object.entries(signedProbe.headers)
    .filter(([name]) => name.startsWith('x-fedgate-') || name === 'x-request-id' || name === 'cache-control')
    .flatMap(([name, value]) => [name, String(value)]);
  const floorServer = await listen(
    (req, res) => {
      const signable: SigV4Module.SignableRequest = {
        method: req.method ?? 'GET',
        path: PATH.slice('/authz'.length),
        query: '',
        header: (name) => {
          if (name === 'host') return [HOST];
          const value = req.headers[name];
          return value === undefined ? undefined : Array.isArray(value) ? value : [value];
        },
      };
      const parsed = sigv4Lib.parseSignature(signable);
      const verified =
        parsed.ok === true &&
        sigv4Lib.verifyHmacSignature(
          signable,
          parsed.value,
          floorKey,
          floorPayload,
          'normalise-and-encode',
        ) === undefined;
      res.writeHead(verified ? 200 : 403, [...floorAnswer, 'content-length', '0']);
      res.end();
    },
    '127.0.0.1',
    0,
  );
  const signedBytes = Object.entries(signed).reduce(
    (sum, [name, value]) => sum + name.length + value.length + 4,
    0,
  );

  // Steady state: every distinct session verified once (as after the first minute of real traffic).
  await warmUp(authzUrl, many);
  const recordingUrl = `${recordingServer.url}${PATH}`;
  await warmUp(recordingUrl, many);

  const run = (name: string, url: string, tokens: readonly string[], fixed: Record<string, string> = {}) =>
    useWrk ? runWrk(name, url, tokens, dir, fixed) : runNodeClient(name, url, tokens, fixed);
  // BENCH_SCENARIOS=b1 (say) runs only some scenarios, e.g. to profile one with --cpu-prof.
  const only = (process.env['BENCH_SCENARIOS'] ?? 'a,b1,b3,a3,f3,b1r,b2,b2r').split(',');
  const scenarios: { readonly key: string; measure(): Promise<Figures> }[] = [
    { key: 'a', measure: () => run('a) bare node:http 200 OK', `${bareServer.url}/`, hot) },
    { key: 'b1', measure: () => run('b1) /authz, one hot session', authzUrl, hot) },
    { key: 'b3', measure: () => run('b3) /authz, SigV4, one hot credential', authzUrl, [], signed) },
    // The bare server sent b3's own request: what the larger signed headers cost node:http alone.
    { key: 'a3', measure: () => run('a3) bare node:http, b3 headers', `${bareServer.url}/`, [], signed) },
    {
      key: 'f3',
      measure: () => run('f3) floor: verify + answer only', `${floorServer.url}${PATH}`, [], signed),
    },
    { key: 'b1r', measure: () => run('b1r) b1 + activity record', recordingUrl, hot) },
    { key: 'b2', measure: () => run(`b2) /authz, ${many.length} sessions`, authzUrl, many) },
    { key: 'b2r', measure: () => run('b2r) b2 + activity record', recordingUrl, many) },
  ].filter((scenario) => only.includes(scenario.key));
  // Interleaved rounds: this machine's speed drifts by tens of percent within a minute, so a ratio is taken
  // within each round and its median quoted.
  const rounds: Figures[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const figures: Figures[] = [];
    for (const scenario of scenarios) figures.push(await scenario.measure());
    rounds.push(figures);
  }

  console.log(
    `\nload: ${useWrk ? 'wrk' : 'Node keep-alive client'}, ${CONNECTIONS} connections, ${SECONDS} s each, ${ROUNDS} interleaved round(s); ` +
      `store: ${store.kind}; policy: 20 statements; gateway code: ${FROM.slice(3)}/; node ${process.version}; ` +
      `b3's signed headers ${signedBytes} bytes (session token ${hotCredential.token.length} chars)\n`,
  );
  // Each figure is the median over rounds; "ratio vs a" is the median of each round's own ratio.
  const results: Figures[] = scenarios.map((_, i) => {
    const each = rounds.map((figures) => figures[i]!);
    return {
      name: each[0]!.name,
      rps: median(each.map((f) => f.rps)),
      p50ms: median(each.map((f) => f.p50ms)),
      p99ms: median(each.map((f) => f.p99ms)),
      non2xx: each.reduce((sum, f) => sum + f.non2xx, 0),
    };
  });
  const ratio = (i: number, j: number): number =>
    median(rounds.map((figures) => figures[i]!.rps / figures[j]!.rps));
  const perRound = (i: number, j: number): string =>
    ROUNDS > 1
      ? ` (rounds: ${rounds.map((figures) => (figures[i]!.rps / figures[j]!.rps).toFixed(2)).join(', ')})`
      : '';
  console.log('scenario                              req/s      p50 ms   p99 ms   non-2xx   ratio vs a');
  results.forEach((r, i) => {
    console.log(
      `${r.name.padEnd(36)} ${r.rps.toFixed(0).padStart(8)} ${r.p50ms.toFixed(2).padStart(10)} ${r.p99ms
        .toFixed(2)
        .padStart(
          8,
        )} ${String(r.non2xx).padStart(9)}   ${ratio(i, 0).toFixed(2).padStart(6)}${perRound(i, 0)}`,
    );
  });

  const indexOf = (prefix: string) => results.findIndex((r) => r.name.startsWith(prefix));
  const bearer = indexOf('b1)');
  const sigv4 = indexOf('b3)');
  const bareSigned = indexOf('a3)');
  if (bearer !== -1 && sigv4 !== -1 && results[0]!.name.startsWith('a)'))
    console.log(
      `SigV4 vs bearer (b3/b1): ${ratio(sigv4, bearer).toFixed(2)}; SigV4 vs bare node:http (b3/a): ${ratio(sigv4, 0).toFixed(2)} (target >= 0.6)` +
        (bareSigned === -1
          ? ''
          : `; vs bare sent the same signed request (b3/a3): ${ratio(sigv4, bareSigned).toFixed(2)}${perRound(sigv4, bareSigned)}`),
    );
  const floor = indexOf('f3)');
  if (floor !== -1 && results[0]!.name.startsWith('a)'))
    console.log(
      `the floor under b3 (f3/a): ${ratio(floor, 0).toFixed(2)}${perRound(floor, 0)}` +
        (sigv4 === -1 ? '' : `; b3 reaches ${ratio(sigv4, floor).toFixed(2)} of it (b3/f3)`),
    );
  for (const [plain, recorded] of [
    ['b1)', 'b1r)'],
    ['b2)', 'b2r)'],
  ] as const) {
    const p = indexOf(plain);
    const r = indexOf(recorded);
    if (p !== -1 && r !== -1)
      console.log(
        `activity record cost, ${plain.slice(0, -1)}: ${((1 - ratio(r, p)) * 100).toFixed(1)} % of throughput (target <= 5 %)`,
      );
  }

  await recordingServer.close(100);
  recordingAuthorizer.close();
  await activity.close();
  await authzServer.close(100);
  await bareServer.close(100);
  await floorServer.close(100);
  authorizer.close();
  await sessions.close();
  keys.close();
  await store.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------------
// (real) The hot path as a real proxy calls it (issue 17): `fedgate serve` in its own process with the authorizer on
// its own listener (`authorizer.listen`), called as Traefik's ForwardAuth calls it — `GET /authz` from a trusted
// proxy address with the original request in X-Forwarded-Method/-Proto/-Host/-Uri/-For (BENCH_PROXY=nginx: as the
// nginx guide's auth_request calls it, X-Original-Method/-URI/-Host/-Proto and X-Real-IP) — over a route with two
// parameters and a policy with a principal-tag variable, an IpAddress condition and Deny statements. Against bare
// node:http in its own process, sent the same requests, in the same run: wrk -t1 -c50, warmed up, every scenario
// run BENCH_ROUNDS times (default 3, BENCH_REAL_SECONDS each, default 5) interleaved, medians printed.
// BENCH_CPU_PROF=DIR starts the gateway under `node --cpu-prof` and writes its profile there on exit. Each server
// process's CPU time per request (user + system, from /proc) is printed too: on a shared machine it moves far less
// than req/s. BENCH_COMPARE=DIR runs another build (DIR/bin/fedgate.js, built) beside the gateway in the same rounds
// (r1b, r2b): an A/B of two builds under the same load. (rf) is the floor: node:http in its own process answering the
// same requests with the gateway's own 200 after reading the request headers, deciding nothing; the bench prints
// fedgate's own work per request above it and what each ratio target leaves for that work. BENCH_REAL_RUNS=hot
// (or many) measures only that run beside ra and rf, e.g. to profile it with `perf record` (NODE_OPTIONS=
// --perf-basic-prof reaches the gateway process).
// ---------------------------------------------------------------------------------------------------------------

const REAL_SECONDS = Number(process.env['BENCH_REAL_SECONDS'] ?? 5);
const REAL_ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const REAL_PROXY = process.env['BENCH_PROXY'] === 'nginx' ? 'nginx' : 'traefik';
const REAL_KEK = 'bench-key-encryption-key-0123456789abcdef';
const REAL_TEAM = 'payments';

/** The gateway configuration of the realistic scenario: three statements, one route with two parameters. */
function realisticConfig(redisUrl: string, port: number, authorizerPort: number): Record<string, unknown> {
  const trust = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Federated: 'corp' }, Action: 'sts:AssumeRoleWithWebIdentity' },
    ],
  };
  return {
    publicUrl: 'https://sso.example.com',
    listen: { host: '127.0.0.1', port },
    store: { kind: 'redis', url: redisUrl },
    // The proxy's address, with the header family its guide configures.
    trustProxies: [{ cidr: '127.0.0.1/32', headers: REAL_PROXY === 'nginx' ? 'original' : 'forwarded' }],
    identityProviders: [
      {
        id: 'corp',
        type: 'oidc',
        issuer: 'https://idp.example.com',
        clientId: 'fedgate',
        webIdentityOnly: true,
      },
    ],
    // 10,000 active sessions plus the hot one fit; the TTL is the default (30 s), so entries expire during a run.
    authorizer: { listen: { host: '127.0.0.1', port: authorizerPort }, cacheMaxEntries: 20_000 },
    log: { level: 'warn' },
    policies: {
      Orders: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadOwnTeamFromOffice',
            Effect: 'Allow',
            Action: ['orders:GetOrder', 'orders:ListOrders'],
            Resource: 'arn:fedgate:orders:::team/${aws:PrincipalTag/team}/order/*',
            Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } },
          },
          {
            Sid: 'DenyQuarantined',
            Effect: 'Deny',
            Action: 'orders:*',
            Resource: 'arn:fedgate:orders:::team/*/order/666',
          },
          {
            Sid: 'DenyPlaintext',
            Effect: 'Deny',
            Action: 'orders:*',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    },
    roles: [{ name: 'Developer', trustPolicy: trust, policies: ['Orders'] }],
    routes: [
      {
        host: HOST,
        methods: ['GET'],
        path: '/orders/:team/:id',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::team/${team}/order/${id}',
      },
    ],
  };
}

/** One forward-auth call as the proxy sends it: the client's headers, then the proxy's own. */
function proxyCall(token: string, clientIp: string, uri: string): Record<string, string> {
  const client = {
    'User-Agent': 'orders-web/2.4 (+https://orders.example.com)',
    Accept: 'application/json',
    'Accept-Encoding': 'gzip, deflate, br',
    Authorization: `Bearer ${token}`,
  };
  return REAL_PROXY === 'nginx'
    ? {
        Host: 'fedgate.internal:9091',
        ...client,
        'X-Original-Method': 'GET',
        'X-Original-URI': uri,
        'X-Original-Host': HOST,
        'X-Original-Proto': 'https',
        'X-Real-IP': clientIp,
      }
    : {
        Host: 'fedgate.internal:9091',
        ...client,
        'X-Forwarded-For': clientIp,
        'X-Forwarded-Host': HOST,
        'X-Forwarded-Method': 'GET',
        'X-Forwarded-Port': '443',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Server': 'traefik-7c9d4',
        'X-Forwarded-Uri': uri,
        'X-Real-Ip': clientIp,
      };
}

/** A client address in 10.0.0.0/8 per session. */
function clientIpOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/**
 * A wrk script whose requests are formatted once when it loads: `request()` only hands the next one out, so wrk
 * spends the same per request on every target and the bare server is sent exactly the gateway's requests.
 */
function wrkScript(calls: readonly Record<string, string>[]): string {
  const lua = (text: string) => JSON.stringify(text); // JSON string escapes are valid Lua for these ASCII values
  const rows = calls.map(
    (headers) =>
      `wrk.format("GET", "/authz", {${Object.entries(headers)
        .map(([name, value]) => `[${lua(name)}] = ${lua(value)}`)
        .join(', ')}}, nil)`,
  );
  return `local requests = {\n${rows.join(',\n')}\n}
local n = #requests
local i = 0
request = function()
  i = i + 1
  if i > n then i = 1 end
  return requests[i]
end
`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** A child process that is ready once a line of its stdout matches; its output is drained afterwards. */
async function startProcess(
  label: string,
  args: readonly string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${label} exited (${String(code)})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (ready.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/**
 * The CPU time (user + system, µs) a process has used so far, from Linux's /proc/PID/stat (clock ticks of 10 ms:
 * over a run of seconds and thousands of requests the rounding is well under 1 %); undefined elsewhere.
 */
async function cpuMicros(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is field 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

/**
 * One wrk run; with `server`, also that process's CPU time per request. On a shared machine the throughput ratio
 * moves with whatever else runs; the CPU each server spends per request moves far less, so both are printed.
 */
async function runWrkScript(
  name: string,
  url: string,
  script: string,
  seconds: number,
  server?: ChildProcess,
): Promise<Figures> {
  const args = ['-t', '1', '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency', '-s', script, url];
  const before = await cpuMicros(server?.pid);
  const { stdout } = await promisify(execFile)(WRK, args, {
    maxBuffer: 16 * 1024 * 1024,
    timeout: (seconds + 60) * 1000,
  });
  const after = await cpuMicros(server?.pid);
  const figures = wrkFigures(name, stdout);
  return before === undefined || after === undefined || !figures.requests
    ? figures
    : { ...figures, cpuUsPerRequest: (after - before) / figures.requests };
}

/** One call's answer: its status and its headers as a flat name/value list (Node's own Date and Connection left out). */
async function answerOf(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: string[] }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      res.resume();
      const skipped = new Set(['date', 'connection', 'keep-alive']);
      const flat: string[] = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
        const name = res.rawHeaders[i]!;
        if (!skipped.has(name.toLowerCase())) flat.push(name, res.rawHeaders[i + 1]!);
      }
      resolve({ status: res.statusCode ?? 0, headers: flat });
    })
      .on('error', reject)
      .end();
  });
}

/** Sends every call once, CONNECTIONS at a time. */
async function sendEach(url: string, calls: readonly Record<string, string>[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls.length) {
      const headers = calls[next++];
      await new Promise<void>((resolve, reject) => {
        request(url, { agent, headers, timeout: 30_000 }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('timeout', () => reject(new Error('warm-up request timed out')))
          .on('error', reject)
          .end();
      });
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function realisticProxy(): Promise<void> {
  if (!(await exists(WRK))) throw new Error('the realistic scenario needs wrk (/usr/bin/wrk)');
  const { sessionServiceSettingsFor, signingKeyRingSettingsFor, storeOptionsFor } =
    await gatewayModule<typeof ConfigModule>('config/index.js');
  const { createStore } = await gatewayModule<typeof StoreModule>('store/index.js');
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-bench-real-'));
  const redis = await startRedisServer();
  const [port, authorizerPort, barePort] = [await freePort(), await freePort(), await freePort()];
  const configPath = join(dir, 'gateway.json');
  await writeFile(configPath, JSON.stringify(realisticConfig(redis.url, port, authorizerPort)));

  const profileDir = process.env['BENCH_CPU_PROF'];
  const entry =
    FROM === '../src'
      ? ['--import', 'tsx', new URL('../test/support/run-fedgate.ts', import.meta.url).pathname]
      : [new URL('../bin/fedgate.js', import.meta.url).pathname];
  const spawnedAt = Date.now();
  const gateway = await startProcess(
    'fedgate serve',
    [
      ...(profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
      ...entry,
      'serve',
      '--config',
      configPath,
    ],
    /authorizer listening on/,
    { ...process.env, FEDGATE_KEY_ENCRYPTION_KEY: REAL_KEK },
  );
  // BENCH_COMPARE=DIR: another build of fedgate (DIR/bin/fedgate.js, e.g. the previous commit's, built) serving the
  // same configuration on its own ports and the same Redis, measured in the same rounds (r1b, r2b): an A/B of two
  // builds under the same load, which on a shared machine is the only comparison worth making.
  const compareDir = process.env['BENCH_COMPARE'];
  let other: { process: ChildProcess; url: string } | undefined;
  if (compareDir !== undefined) {
    const [otherPort, otherAuthorizerPort] = [await freePort(), await freePort()];
    const otherConfig = join(dir, 'gateway-compare.json');
    await writeFile(otherConfig, JSON.stringify(realisticConfig(redis.url, otherPort, otherAuthorizerPort)));
    other = {
      process: await startProcess(
        `fedgate serve (${compareDir})`,
        [join(compareDir, 'bin/fedgate.js'), 'serve', '--config', otherConfig],
        /authorizer listening on/,
        { ...process.env, FEDGATE_KEY_ENCRYPTION_KEY: REAL_KEK },
      ),
      url: `http://127.0.0.1:${otherAuthorizerPort}/authz`,
    };
  }
  const bare = await startProcess(
    'bare node:http',
    [
      '-e',
      `require('node:http').createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
        res.end('OK');
      }).listen(${barePort}, '127.0.0.1', () => console.log('listening'));`,
    ],
    /listening/,
  );

  // Sessions minted as another instance of the same deployment would: the shared key ring in the same Redis.
  const config = await loadConfig(configPath, { env: {} });
  const store = createStore(storeOptionsFor(config.store));
  const keys = await SigningKeyRing.open({ store, ...signingKeyRingSettingsFor(config, REAL_KEK) });
  const sessions = new SessionService({ store, keys, ...sessionServiceSettingsFor(config, REAL_KEK) });
  await sessions.start();
  const issue = (i: number) =>
    sessions.issue({
      roleName: 'Developer',
      sessionName: `user${i}`,
      provider: 'corp',
      subject: `user${i}`,
      tags: { team: REAL_TEAM },
      transitiveTagKeys: [],
      mfa: true,
      amr: ['pwd', 'otp'],
      chain: 0,
      sessionPolicies: [],
      hasSessionPolicy: false,
      audience: 'fedgate',
      durationSeconds: 3600,
    });
  const hotToken = (await issue(0)).token;
  const hotCall = proxyCall(hotToken, clientIpOf(0), `/orders/${REAL_TEAM}/42`);
  const manyCalls: Record<string, string>[] = [];
  for (let batch = 0; batch < DISTINCT_SESSIONS; batch += 200) {
    const issued = await Promise.all(
      Array.from({ length: Math.min(200, DISTINCT_SESSIONS - batch) }, (_, k) => issue(batch + k + 1)),
    );
    issued.forEach((credential, k) => {
      const i = batch + k + 1;
      manyCalls.push(proxyCall(credential.token, clientIpOf(i), `/orders/${REAL_TEAM}/${1000 + i}`));
    });
  }

  const authzUrl = `http://127.0.0.1:${authorizerPort}/authz`;
  const bareUrl = `http://127.0.0.1:${barePort}/authz`;
  // The bench measures decisions, not refusals: the hot call is allowed, and the policy's conditions do decide.
  const probes: [string, Record<string, string>, number][] = [
    ['the hot call', hotCall, 200],
    ['a quarantined order', proxyCall(hotToken, clientIpOf(0), `/orders/${REAL_TEAM}/666`), 403],
    [
      'a client outside the office ranges',
      proxyCall(hotToken, '203.0.113.9', `/orders/${REAL_TEAM}/42`),
      403,
    ],
    ['another team', proxyCall(hotToken, clientIpOf(0), '/orders/logistics/42'), 403],
  ];
  for (const url of other === undefined ? [authzUrl] : [authzUrl, other.url])
    for (const [what, headers, expected] of probes) {
      const { status } = await answerOf(url, headers);
      if (status !== expected)
        throw new Error(`${what}: ${status}, expected ${expected}: fix the bench config`);
    }

  // The floor: node:http answering the same requests with the gateway's own 200 (its header names and values, as
  // the hot call was just answered) after reading the parsed request headers, and deciding nothing. What r1 costs
  // above it is fedgate's own work; what it costs above bare is node:http's, for a larger answer.
  const floorPort = await freePort();
  const floorHeaders = join(dir, 'floor-headers.json');
  // The hot call was just answered 200 (the probes above).
  await writeFile(floorHeaders, JSON.stringify((await answerOf(authzUrl, hotCall)).headers));
  const floor = await startProcess(
    'node:http floor',
    [
      '-e',
      `const answer = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(floorHeaders)}, 'utf8'));
      require('node:http').createServer((req, res) => {
        const headers = req.headers;
        if (headers.authorization === undefined || headers['x-forwarded-uri'] === undefined) res.statusCode = 400;
        res.writeHead(res.statusCode, answer);
        res.end();
      }).listen(${floorPort}, '127.0.0.1', () => console.log('listening'));`,
    ],
    /listening/,
  );
  const floorUrl = `http://127.0.0.1:${floorPort}/authz`;

  const hotScript = join(dir, 'real-hot.lua');
  const manyScript = join(dir, 'real-many.lua');
  await writeFile(hotScript, wrkScript([hotCall]));
  await writeFile(manyScript, wrkScript(manyCalls));

  // Warm-up: every distinct session verified once (steady state), and each listener's code optimised.
  await sendEach(authzUrl, manyCalls);
  await runWrkScript('warm-up', authzUrl, manyScript, 2);
  await runWrkScript('warm-up', authzUrl, hotScript, 2);
  await runWrkScript('warm-up', bareUrl, hotScript, 2);
  await runWrkScript('warm-up', floorUrl, hotScript, 2);
  if (other !== undefined) {
    await sendEach(other.url, manyCalls);
    await runWrkScript('warm-up', other.url, manyScript, 2);
    await runWrkScript('warm-up', other.url, hotScript, 2);
  }

  const compared =
    other === undefined
      ? []
      : [
          {
            key: 'hotB',
            name: 'r1b) r1 on BENCH_COMPARE',
            url: other.url,
            script: hotScript,
            server: other.process,
          },
          {
            key: 'manyB',
            name: 'r2b) r2 on BENCH_COMPARE',
            url: other.url,
            script: manyScript,
            server: other.process,
          },
        ];
  const scenarios = [
    { key: 'a', name: 'ra) bare node:http, same requests', url: bareUrl, script: hotScript, server: bare },
    {
      key: 'floor',
      name: "rf) node:http, fedgate's 200, no decision",
      url: floorUrl,
      script: hotScript,
      server: floor,
    },
    {
      key: 'hot',
      name: 'r1) proxied /authz, one hot session',
      url: authzUrl,
      script: hotScript,
      server: gateway,
    },
    {
      key: 'many',
      name: `r2) proxied /authz, ${manyCalls.length} sessions`,
      url: authzUrl,
      script: manyScript,
      server: gateway,
    },
  ];
  // Each build's run right after the other's, so both see the same load.
  if (compared.length === 2) {
    scenarios.splice(2, 0, compared[0]!);
    scenarios.push(compared[1]!);
  }
  // BENCH_REAL_RUNS=a,hot (say) measures only those runs, e.g. to profile one scenario with perf.
  const only = process.env['BENCH_REAL_RUNS']?.split(',');
  if (only !== undefined)
    scenarios.splice(
      0,
      scenarios.length,
      ...scenarios.filter((s) => s.key === 'a' || s.key === 'floor' || only.includes(s.key)),
    );
  const rounds = new Map<string, Figures[]>(scenarios.map((s) => [s.key, []]));
  const loads: string[] = [];
  for (let round = 0; round < REAL_ROUNDS; round++) {
    loads.push(loadavg()[0]!.toFixed(1));
    for (const s of scenarios) {
      // With BENCH_CPU_PROF, where each run falls in the gateway's profile (seconds after it was started).
      const from = (Date.now() - spawnedAt) / 1000;
      rounds.get(s.key)!.push(await runWrkScript(s.name, s.url, s.script, REAL_SECONDS, s.server));
      if (profileDir !== undefined)
        console.log(
          `profile window ${s.key}: ${from.toFixed(1)}-${((Date.now() - spawnedAt) / 1000).toFixed(1)} s`,
        );
    }
  }

  console.log(
    `\nrealistic: fedgate serve (${FROM.slice(3)}/, own process) with authorizer.listen, called as ${REAL_PROXY} calls ` +
      `it from a trusted proxy address; route /orders/:team/:id; 3 statements (principal-tag variable, IpAddress, ` +
      `2 Deny); Redis store; wrk -t1 -c${CONNECTIONS}, ${REAL_SECONDS} s per run, median of ${REAL_ROUNDS} ` +
      `(load average at each round: ${loads.join(', ')} on ${cpus().length} cores); node ${process.version}\n`,
  );
  console.log(
    'scenario                                 req/s     p50 ms   p99 ms   non-2xx   ratio vs ra   rounds (req/s)',
  );
  const base = median(rounds.get('a')!.map((r) => r.rps));
  // The machine is shared: the ratio within each round (runs seconds apart) is steadier than across rounds.
  const roundRatio = (key: string) =>
    median(rounds.get(key)!.map((r, i) => r.rps / (rounds.get('a')![i]?.rps ?? NaN)));
  for (const s of scenarios) {
    const runs = rounds.get(s.key)!;
    const rps = median(runs.map((r) => r.rps));
    console.log(
      `${s.name.padEnd(38)} ${rps.toFixed(0).padStart(8)} ${median(runs.map((r) => r.p50ms))
        .toFixed(2)
        .padStart(10)} ${median(runs.map((r) => r.p99ms))
        .toFixed(2)
        .padStart(8)} ${String(runs.reduce((n, r) => n + r.non2xx, 0)).padStart(9)}   ${(rps / base)
        .toFixed(2)
        .padStart(11)}   ${runs.map((r) => r.rps.toFixed(0)).join(' / ')}` +
        (s.key === 'a' ? '' : `   (median of per-round ratios: ${roundRatio(s.key).toFixed(2)})`),
    );
  }
  console.log('targets: r1 >= 0.80 x ra; r2 >= 0.50 x ra; p99 <= 5 ms');
  // The same comparison by CPU: what each request costs the server process itself (the gateway's Redis work in
  // redis-server is not included). Steadier than req/s when other work shares the cores.
  const cpu = (key: string) => median(rounds.get(key)!.map((r) => r.cpuUsPerRequest ?? NaN));
  if (!Number.isNaN(cpu('a')))
    console.log(
      `CPU per request (server process, median): ` +
        scenarios
          .map(
            (s) =>
              `${s.key} ${cpu(s.key).toFixed(1)} µs` +
              (s.key === 'a' ? '' : ` (bare/${s.key} ${(cpu('a') / cpu(s.key)).toFixed(2)})`),
          )
          .join('; '),
    );
  // What is node:http's and what is fedgate's: the floor sends the same answer deciding nothing.
  if (!Number.isNaN(cpu('floor')))
    for (const key of ['hot', 'many'].filter((k) => rounds.has(k)))
      console.log(
        `${key}: fedgate's own work ${(cpu(key) - cpu('floor')).toFixed(1)} µs per request above the floor; ` +
          `for ${key === 'hot' ? 'r1 >= 0.80' : 'r2 >= 0.50'} x ra it may cost at most ` +
          `${(cpu('a') / (key === 'hot' ? 0.8 : 0.5) - cpu('floor')).toFixed(1)} µs (by CPU per request)`,
      );

  await stopProcess(gateway);
  if (other !== undefined) await stopProcess(other.process);
  await stopProcess(bare);
  await stopProcess(floor);
  await sessions.close();
  keys.close();
  await store.close();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}

// BENCH_SCENARIOS=real runs only the realistic scenario; a list without it only the in-process ones.
const requested = process.env['BENCH_SCENARIOS']?.split(',');
async function runAll(): Promise<void> {
  if (requested === undefined || requested.some((name) => name !== 'real')) await main();
  if (requested === undefined || requested.includes('real')) await realisticProxy();
}

runAll().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
