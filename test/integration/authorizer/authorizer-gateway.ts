import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../../src/audit/index.js';
import { createAuthorizer, type Authorizer } from '../../../src/authorizer/index.js';
import { loadConfig, type GatewayConfig } from '../../../src/config/index.js';
import { createAuthzHandler, listen, type RunningServer } from '../../../src/http/index.js';
import { compileAuthorizerRouting } from '../../../src/gateway-state/index.js';
import { GatewayMetrics } from '../../../src/observability/metrics.js';
import { PolicyCatalog } from '../../../src/roles/index.js';
import {
  KeyEncryptionKey,
  SessionService,
  SigningKeyRing,
  type IssuedCredential,
  type RoleSessionInput,
} from '../../../src/sessions/index.js';
import {
  createMemoryStore,
  createRedisStore,
  type RedisStoreOptions,
  type Store,
} from '../../../src/store/index.js';

/** A trust policy that satisfies the schema; these tests never assume roles through it. */
export const TRUST_ANY_CORP = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Federated: 'corp' }, Action: 'sts:AssumeRoleWithWebIdentity' }],
};

/** One gateway instance as the authorizer sees it: real config loader, catalog, store, keys, sessions. */
export interface GatewayUnderTest {
  readonly url: string;
  readonly port: number;
  readonly config: GatewayConfig;
  readonly catalog: PolicyCatalog;
  /** Applies a new configuration document, as the config watcher does (new config and catalog objects). */
  reload(config: Record<string, unknown>): Promise<void>;
  readonly store: Store;
  readonly keys: SigningKeyRing;
  readonly sessions: SessionService;
  readonly authorizer: Authorizer;
  readonly audit: AuditEvent[];
  readonly metrics: GatewayMetrics;
  /** Issues a role session with sensible defaults. */
  issue(input: Partial<RoleSessionInput> & { roleName: string }): Promise<IssuedCredential>;
  close(): Promise<void>;
}

/** Options of startGateway. */
export interface StartGatewayOptions {
  /** The configuration document (JSON-able), loaded through the real loader. */
  readonly config: Record<string, unknown>;
  /** A private redis-server URL; the embedded store otherwise. */
  readonly redisUrl?: string;
  /** Any Redis topology (Cluster, Sentinel) with its options; wins over `redisUrl`. */
  readonly redis?: RedisStoreOptions;
  readonly now?: () => number;
}

const KEK = 'authorizer-tests-key-encryption-key-0123456789';

/** Starts an authorizer on its own loopback listener. */
export async function startGateway(options: StartGatewayOptions): Promise<GatewayUnderTest> {
  let config = await load(options.config);
  const now = options.now ?? Date.now;

  const redis = options.redis ?? (options.redisUrl === undefined ? undefined : { url: options.redisUrl });
  const store =
    redis === undefined ? createMemoryStore({ now }) : createRedisStore({ keyPrefix: 'fedgate:', ...redis });
  // A cluster that has just reported healthy may still be loading its slot map on a fresh connection: retry the
  // first ping, as `fedgate serve` does at start-up, rather than fail the whole suite on the race.
  for (const deadline = Date.now() + 20_000; ;) {
    try {
      await store.ping();
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  // Both connections up (on a cluster the subscriber picks its node after the slot map is loaded).
  for (const deadline = Date.now() + 20_000; !store.isConnected() && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const keys = await SigningKeyRing.open({
    store,
    algorithm: 'ES256',
    ...(redis === undefined ? {} : { keyEncryptionKey: KEK }),
    rotationIntervalSeconds: 86_400,
    maxTokenLifetimeSeconds: 43_200,
    now,
  });
  const sessions = new SessionService({
    store,
    keys,
    issuer: config.publicUrl,
    partition: config.partition,
    account: config.account,
    now,
    // Instances sharing a Redis share FEDGATE_KEY_ENCRYPTION_KEY, so each can verify the others' SigV4 signatures.
    ...(redis === undefined ? {} : { secretKey: KeyEncryptionKey.fromSecret(KEK, 'session-secrets') }),
  });
  await sessions.start();
  let catalog = PolicyCatalog.fromConfig(config);
  const audit: AuditEvent[] = [];
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  let routing = compileAuthorizerRouting(config);
  const authorizer = createAuthorizer({
    routing: () => routing,
    getCatalog: () => catalog,
    sessions,
    keys,
    store,
    now,
  });
  const handler = createAuthzHandler({
    authorizer,
    audit: { record: (event) => audit.push(event), count: (event) => audit.push(event) },
    metrics,
  });
  const server: RunningServer = await listen(handler, '127.0.0.1', 0);

  return {
    url: server.url,
    port: server.port,
    get config() {
      return config;
    },
    get catalog() {
      return catalog;
    },
    async reload(document) {
      const next = await load(document);
      catalog = PolicyCatalog.fromConfig(next);
      routing = compileAuthorizerRouting(next);
      config = next;
    },
    store,
    keys,
    sessions,
    authorizer,
    audit,
    metrics,
    issue: (input) =>
      sessions.issue({
        sessionName: 'alice@example.com',
        provider: 'corp',
        subject: 'alice',
        tags: {},
        transitiveTagKeys: [],
        mfa: false,
        amr: ['pwd'],
        chain: 0,
        sessionPolicies: [],
        hasSessionPolicy: false,
        audience: 'fedgate',
        durationSeconds: 3600,
        ...input,
      }),
    async close() {
      await server.close(100);
      authorizer.close();
      await sessions.close();
      keys.close();
      await store.close();
    },
  };
}

async function load(document: Record<string, unknown>): Promise<GatewayConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-authz-'));
  try {
    const path = join(dir, 'gateway.json');
    await writeFile(path, JSON.stringify(document));
    return await loadConfig(path, { env: {} });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An HTTP answer, headers lower-cased. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request over a fresh loopback connection (no agent, so nothing lingers between tests). */
export function send(
  url: string,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** The loopback address to connect from (127.0.0.x), to play a given proxy. */
    localAddress?: string;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(options.path ?? '/', url);
    const req = httpRequest(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Asks `/authz` about a request the way Traefik/Caddy do (X-Forwarded-*), from a trusted loopback peer. */
export function askForwarded(
  gateway: { url: string },
  original: { method?: string; host: string; uri: string; proto?: string; clientIp?: string },
  headers: Record<string, string> = {},
): Promise<Answer> {
  return send(gateway.url, {
    path: '/authz',
    headers: {
      'x-forwarded-method': original.method ?? 'GET',
      'x-forwarded-host': original.host,
      'x-forwarded-uri': original.uri,
      'x-forwarded-proto': original.proto ?? 'https',
      ...(original.clientIp === undefined ? {} : { 'x-forwarded-for': original.clientIp }),
      ...headers,
    },
  });
}
