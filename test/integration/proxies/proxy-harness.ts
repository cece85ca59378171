import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createConnection, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The tiny upstream: answers 200 with the headers it received, as JSON, and remembers them. */
export interface EchoUpstream {
  readonly port: number;
  readonly received: IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** Starts the echo upstream on a loopback port. */
export async function startEchoUpstream(): Promise<EchoUpstream> {
  const received: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    received.push(req.headers);
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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
