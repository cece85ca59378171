import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createConnection, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { expect } from 'vitest';

/** Fails (never skips) when a proxy binary the test needs is not installed. */
export async function requireBinary(path: string, install: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing: this test runs the real proxy. Install it with: ${install}`);
  }
}

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A scratch directory for a proxy's config, logs and state. */
export function scratchDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** One request as the upstream application received it, and the handler that answered it. */
export interface UpstreamHit {
  readonly handler: 'admin' | 'order' | 'other';
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

/**
 * The application behind the proxy: Express with its default routing, which is case-insensitive and matches
 * `/orders/:team/admin` before `/orders/:team/:id` — like the upstreams the attacks target. Answers 200 with
 * the handler's name and remembers every request it served.
 */
export interface ExpressUpstream {
  readonly port: number;
  readonly received: UpstreamHit[];
  /** The hits of one handler since `from` (an index into received). */
  hits(handler: UpstreamHit['handler'], from?: number): UpstreamHit[];
  close(): Promise<void>;
}

/** Starts the Express upstream on a loopback port. */
export async function startExpressUpstream(): Promise<ExpressUpstream> {
  const received: UpstreamHit[] = [];
  const app = express();
  const answer =
    (handler: UpstreamHit['handler']) =>
    (req: express.Request, res: express.Response): void => {
      received.push({ handler, method: req.method, url: req.originalUrl, headers: req.headers });
      res.json({ handler, method: req.method, url: req.originalUrl });
    };
  app.get('/orders/:team/admin', answer('admin'));
  app.all('/orders/:team/:id', answer('order'));
  app.use(answer('other'));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    received,
    hits: (handler, from = 0) => received.slice(from).filter((hit) => hit.handler === handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The first fenced code block of a language in a guide under docs/proxies/: the test runs the guide itself.
 * `replacements` are applied in order and each must match, so a guide edit that a test no longer understands
 * fails loudly instead of testing something else.
 */
export async function guideConfig(
  guide: string,
  language: string,
  replacements: readonly (readonly [string | RegExp, string])[],
): Promise<string> {
  const text = await readFile(join(GUIDES, guide), 'utf8');
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```').exec(text)?.[1];
  if (block === undefined) throw new Error(`${guide} has no \`\`\`${language} block`);
  let config = block;
  for (const [pattern, replacement] of replacements) {
    const next = config.replace(pattern, replacement);
    if (next === config)
      throw new Error(`${guide}: ${String(pattern)} not found in the guide's configuration`);
    config = next;
  }
  return config;
}

const GUIDES = fileURLToPath(new URL('../../../docs/proxies/', import.meta.url));

/** A raw HTTP/1.1 request line and headers, for request targets no HTTP client would send (`#fragment`). */
export function rawRequest(
  port: number,
  requestLine: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text }),
    );
    const lines = [
      requestLine,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      'Connection: close',
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** A running proxy process. */
export interface ProxyProcess {
  readonly port: number;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Spawns a proxy and waits until it accepts connections on `port` (or fails with its output). */
export async function spawnProxy(
  command: string,
  args: readonly string[],
  port: number,
  options: { cwd: string; env?: NodeJS.ProcessEnv; cleanup?: string },
): Promise<ProxyProcess> {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(timer);
    }
    if (options.cleanup !== undefined) await rm(options.cleanup, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not start on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, output: () => output, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Asserts the headers an upstream received carry the session's identity: principal, role, subject, session,
 * tags, and an X-Fedgate-Assertion that verifies against the gateway's JWKS for the route host.
 */
export async function expectIdentityHeaders(
  headers: IncomingHttpHeaders,
  session: { readonly principalArn: string; readonly id: string },
  jwks: { keys: JWK[] },
): Promise<void> {
  expect(headers['x-fedgate-principal']).toBe(session.principalArn);
  expect(headers['x-fedgate-role']).toBe('arn:fedgate:iam::000000000000:role/Developer');
  expect(headers['x-fedgate-subject']).toBe('alice');
  expect(headers['x-fedgate-session']).toBe(session.id);
  expect(headers['x-fedgate-tags']).toBe('team="payments"');
  const { payload } = await jwtVerify(headers['x-fedgate-assertion'] as string, createLocalJWKSet(jwks), {
    audience: 'orders.example.com',
    issuer: 'https://sso.example.com',
  });
  expect(payload.sub).toBe(session.principalArn);
}
