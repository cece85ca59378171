import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';

/** A private redis-server on a loopback port, for tests that need a real Redis. */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Graceful shutdown; the handle can be restarted afterwards. */
  stop(): Promise<void>;
  /** SIGKILL, for fault tests: connections drop without goodbye. */
  kill(): Promise<void>;
  /** Starts again on the same port (stopping first when running) and waits until it answers PING. */
  restart(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 5;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous by necessity: 'exit' handlers cannot wait. SIGKILL is fine, the servers hold nothing.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/** Options of startRedisServer; the defaults suit every test. */
export interface StartRedisServerOptions {
  /** Path or name of the binary; default $REDIS_SERVER_BIN or `redis-server` on PATH. */
  readonly binary?: string;
  /** More server options (`--cluster-enabled yes`, `--replicaof …`); later options override earlier ones. */
  readonly args?: readonly string[];
  /** A fixed port (a restart of a topology node); a free one when omitted. */
  readonly port?: number;
}

/**
 * Spawns a private `redis-server` (no persistence, loopback only) on a free port and waits until it
 * answers. Never the system Redis on 6379. Set REDIS_SERVER_BIN to use another binary.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerHandle> {
  installExitHook();
  const binary = options.binary ?? process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
  let lastError: unknown;
  const args = options.args ?? [];
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      const child = await spawnOn(binary, port, args);
      return handleFor(binary, port, child, args);
    } catch (error) {
      // Another process may have taken the port between probing and binding: try another one.
      if (!(error instanceof PortInUseError)) throw error;
      lastError = error;
    }
  }
  throw new Error(`could not start redis-server after ${PORT_ATTEMPTS} attempts`, { cause: lastError });
}

function handleFor(
  binary: string,
  port: number,
  initial: ChildProcess,
  args: readonly string[],
): RedisServerHandle {
  let child: ChildProcess | undefined = initial;
  const handle: RedisServerHandle = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      const current = child;
      child = undefined;
      if (current !== undefined) await terminate(current, 'SIGTERM');
    },
    async kill() {
      const current = child;
      child = undefined;
      if (current !== undefined) await terminate(current, 'SIGKILL');
    },
    async restart() {
      await handle.stop();
      let lastError: unknown;
      // The port is ours by convention only; if something grabbed it, a short wait usually frees it.
      for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
        try {
          child = await spawnOn(binary, port, args);
          return;
        } catch (error) {
          if (!(error instanceof PortInUseError)) throw error;
          lastError = error;
          await delay(200);
        }
      }
      throw new Error(`could not restart redis-server on port ${port}`, { cause: lastError });
    },
  };
  return handle;
}

class PortInUseError extends Error {}

async function spawnOn(binary: string, port: number, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      tmpdir(),
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    // Only the tail matters for diagnosing a failed start.
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      running.delete(child);
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `redis-server binary not found ("${binary}"): install it (e.g. apt-get install redis-server) ` +
                'or set REDIS_SERVER_BIN',
            )
          : error,
      );
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      const message = `redis-server on port ${port} exited during startup (code ${code}, signal ${signal}): ${output.trim()}`;
      reject(/address already in use/i.test(output) ? new PortInUseError(message) : new Error(message));
    });
  });
  exited.catch(() => {});

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      const answered = await Promise.race([answers(port, child.pid), exited]);
      if (answered) return child;
      if (Date.now() > deadline)
        throw new Error(
          `redis-server on port ${port} did not answer PING within ${STARTUP_TIMEOUT_MS} ms: ${output.trim()}`,
        );
      await Promise.race([delay(25), exited]);
    }
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) await terminate(child, 'SIGKILL');
    throw error;
  }
}

/**
 * True when *our* server answers on the port: its INFO names the child's pid, so a foreign process that
 * grabbed the port in the meantime is not mistaken for it. False on refusal, error reply or silence.
 */
function answers(port: number, pid: number | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.startsWith('-')) finish(false);
      const match = /process_id:(\d+)\r\n/.exec(reply);
      if (match !== null) finish(Number(match[1]) === pid);
    });
  });
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      running.delete(child);
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      running.delete(child);
      resolve();
    });
    child.kill(signal);
  });
}

/** A free loopback port (probed, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
