/**
 * A whole fedgate gateway for integration tests: writes a YAML configuration into a temporary folder and starts
 * it through the real composition root (`startGateway`), on loopback, with an embedded store and a memory audit
 * sink. IdPs usually need the gateway's redirect URIs before it starts: reserve its port first.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { memoryAuditSink, type AuditRecord } from '../../src/audit/index.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import type { Logger } from '../../src/observability/logger.js';
import { suiteAuditSink, suiteLogger } from './suite-log-capture.js';

/** Options of startGatewayFixture. */
export interface GatewayFixtureOptions {
  /**
   * The configuration document. `publicUrl`, `listen`, `store`, `audit`, `log`, `cookies`, `trustProxies` and `rateLimits`
   * get loopback test values unless given.
   */
  readonly config: Readonly<Record<string, unknown>>;
  /** The port to listen on (see reserveLoopbackPort); a free one when omitted. */
  readonly port?: number;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** Environment for `${VAR}` substitution (default empty). */
  readonly env?: NodeJS.ProcessEnv;
  /** More files next to the configuration (relative path → content), for `{ file: … }` references. */
  readonly files?: Readonly<Record<string, string>>;
  /** The process logger (default: the suite's capture). */
  readonly logger?: Logger;
  /** Where `stdout` audit sinks write (default process.stdout). */
  readonly stdout?: Writable;
  /** Watch the configuration file and apply its changes, as `fedgate serve` does (default false). */
  readonly watch?: boolean;
}

/** A running gateway under test. */
export interface GatewayFixture {
  /** `http://127.0.0.1:<port>`, equal to the configured `publicUrl` when it was defaulted. */
  readonly url: string;
  readonly gateway: RunningGateway;
  readonly configPath: string;
  /** Every audit record written so far. */
  readonly audit: readonly AuditRecord[];
  /** Stops the gateway and removes the temporary folder. */
  close(): Promise<void>;
}

/** A free loopback port, for a gateway whose public URL IdPs must know before it starts. */
export async function reserveLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no loopback port');
  return address.port;
}

/** The gateway's public URL for a reserved port. */
export function loopbackUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** Writes the configuration as YAML and starts a gateway with it; call `close()` after the test. */
export async function startGatewayFixture(options: GatewayFixtureOptions): Promise<GatewayFixture> {
  const port = options.port ?? (await reserveLoopbackPort());
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-gateway-'));
  const configPath = join(dir, 'gateway.yaml');
  const config = {
    publicUrl: loopbackUrl(port),
    listen: { host: '127.0.0.1', port },
    trustProxies: ['127.0.0.1/32', '::1/128'],
    store: { kind: 'memory' },
    cookies: { secure: false },
    audit: { sinks: [] },
    log: { level: 'silent' },
    // Tests sign in many times from one address; rate-limit tests set their own budgets.
    rateLimits: { login: { points: 100_000 }, sts: { points: 100_000 }, token: { points: 100_000 } },
    ...options.config,
  };
  try {
    for (const [path, content] of Object.entries(options.files ?? {})) {
      const target = join(dir, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await writeFile(configPath, stringify(config));
    const sink = memoryAuditSink();
    const gateway = await startGateway({
      configPath,
      env: options.env ?? {},
      port,
      watch: options.watch ?? false,
      auditSinks: [sink, suiteAuditSink()],
      logger: options.logger ?? suiteLogger(),
      ...(options.stdout === undefined ? {} : { stdout: options.stdout }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    return {
      url: gateway.url,
      gateway,
      configPath,
      audit: sink.records,
      async close() {
        await gateway.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
