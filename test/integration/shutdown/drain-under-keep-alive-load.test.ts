/**
 * Issue 20 item 5: `fedgate serve` on SIGTERM under keep-alive load. Twenty clients, each on its own keep-alive
 * connection, send requests back to back (the authorizer and an Express route); the gateway is sent SIGTERM in the
 * middle. Every request that reached the gateway must be answered (those after the signal with
 * `Connection: close`), new connections are refused, and the process exits 0 once drained.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const CLIENTS = 20;
const WARM_UP_ANSWERS = 400;

interface Tally {
  answered: number;
  answeredAfterSignal: number;
  closeAfterSignal: number;
  refused: number;
  unanswered: number;
  errors: string[];
}

/** One GET on the client's own keep-alive connection; resolves with what happened, never rejects. */
function get(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
): Promise<{ kind: 'answer'; close: boolean } | { kind: 'error'; code: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve({ kind: 'answer', close: res.headers.connection === 'close' }));
      res.once('error', (error: NodeJS.ErrnoException) =>
        resolve({ kind: 'error', code: error.code ?? error.message }),
      );
    });
    req.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ kind: 'error', code: error.code ?? error.message }),
    );
    req.end();
  });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('fedgate serve: SIGTERM under keep-alive load', () => {
  it('sigterm-resets-keep-alive-requests: every request that reached the gateway is answered, then it exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-drain-'));
    dirs.push(dir);
    const path = join(dir, 'gateway.yaml');
    await writeFile(
      path,
      [
        'publicUrl: http://127.0.0.1:9',
        'log: { level: silent }',
        'audit: { sinks: [] }',
        'routes:',
        '  - { host: orders.test, methods: [GET], path: "/orders/:id", action: orders:GetOrder, resource: "arn:fedgate:orders:::order/${id}" }',
        '',
      ].join('\n'),
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/run-fedgate.ts', 'serve', '--config', path, '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await expect.poll(() => /open (http:\/\/\S+)\//.exec(out)?.[1], { timeout: 30_000 }).toBeDefined();
    const url = /open (http:\/\/\S+)\//.exec(out)?.[1] ?? '';

    const tally: Tally = {
      answered: 0,
      answeredAfterSignal: 0,
      closeAfterSignal: 0,
      refused: 0,
      unanswered: 0,
      errors: [],
    };
    let signalled = false;
    const authz = {
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'orders.test',
      'x-forwarded-uri': '/orders/42',
      authorization: 'Bearer not-a-credential',
    };
    const agents: Agent[] = [];
    const loops = Array.from({ length: CLIENTS }, async (_, i) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      for (let n = 0; ; n++) {
        const wasSignalled = signalled;
        const outcome =
          (i + n) % 2 === 0
            ? await get(agent, `${url}/authz`, authz)
            : await get(agent, `${url}/healthz`, {});
        if (outcome.kind === 'answer') {
          tally.answered += 1;
          if (wasSignalled) {
            tally.answeredAfterSignal += 1;
            if (outcome.close) tally.closeAfterSignal += 1;
          }
          continue;
        }
        // A connection the stopped listener refused carried no request: the client is done.
        if (outcome.code === 'ECONNREFUSED') {
          tally.refused += 1;
          return;
        }
        tally.unanswered += 1;
        tally.errors.push(outcome.code);
        if (signalled) return;
      }
    });

    await expect
      .poll(() => tally.answered, { timeout: 30_000, interval: 20 })
      .toBeGreaterThan(WARM_UP_ANSWERS);
    signalled = true;
    child.kill('SIGTERM');
    await Promise.all(loops);
    for (const agent of agents) agent.destroy();
    const code = await exited;

    console.log(
      `drain: ${tally.answered} answered (${tally.answeredAfterSignal} after SIGTERM, ${tally.closeAfterSignal} of them with Connection: close), ${tally.refused} clients refused a new connection, ${tally.unanswered} unanswered ${JSON.stringify(tally.errors)}`,
    );
    expect(tally.unanswered).toBe(0);
    expect(tally.errors).toEqual([]);
    expect(tally.refused).toBe(CLIENTS);
    expect(tally.closeAfterSignal).toBeGreaterThan(0);
    expect(code).toBe(0);
  }, 90_000);
});
