/**
 * The floor under bench/saml-worst-case.ts's `/healthz` target: what this machine gives a server that does the
 * least a SAML endpoint must do with a maximal body. A bare node:http server answers `/healthz` with JSON and, for
 * a POST, reads the ~500 kB form body, moves it to a worker thread that spends BENCH_BURN_MS (default 20, about
 * what fedgate's verifier spends on a hostile message) of CPU on it, then answers 400. It is driven by the same
 * load generator as the worst-case bench (bench/saml-load-client.ts, two child processes): `/healthz` every
 * 10 ms, idle for 5 s, then for 10 s while 20 bodies per second arrive. If the floor's p99 under load meets
 * 10 ms, the machine allows the target and what fedgate's p99 has above it is fedgate's own.
 *
 *   npx tsx bench/saml-floor.ts          (BENCH_BURN_MS, BENCH_RUNS=3)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { LoadGenerator } from './saml-load-client.js';

const BURN_MS = Number(process.env['BENCH_BURN_MS'] ?? 20);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);

const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
  parentPort.on('message', ({ id, bytes }) => {
    const end = performance.now() + ${BURN_MS};
    let sum = 0;
    while (performance.now() < end) sum += bytes[sum % bytes.length];
    parentPort.postMessage({ id, sum });
  });`,
  { eval: true },
);
let nextId = 0;
const answers = new Map<number, () => void>();
worker.on('message', ({ id }: { id: number }) => {
  answers.get(id)?.();
  answers.delete(id);
});

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"ok"}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const whole = Buffer.concat(chunks);
    const bytes = new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
    const id = nextId++;
    answers.set(id, () => {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html');
      res.end('<p>refused</p>');
    });
    worker.postMessage({ id, bytes }, [bytes.buffer]);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const client = new LoadGenerator(url);
const percentile = (values: readonly number[], p: number): string => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN).toFixed(1);
};

// A form body of about the size the gateway's 512 kB limit admits: base64 text, percent-encoded.
const body = `SAMLResponse=${'PHNhbWxwOlJlc3BvbnNl%2B'.repeat(22_000)}`;
const index = await client.keep({ path: '/acs', contentType: 'application/x-www-form-urlencoded', body });
console.log(`floor: node:http + a worker spending ${BURN_MS} ms per ${body.length}-byte body; ${url}`);
for (let run = 0; run < RUNS; run++) {
  const idle = (await client.probe(5)).latencies;
  const load = (await client.load(10, 20, [index])).latencies;
  console.log(
    `run ${run + 1}: /healthz idle p50 ${percentile(idle, 0.5)} ms, p99 ${percentile(idle, 0.99)} ms; ` +
      `under 20 bodies/s p50 ${percentile(load, 0.5)} ms, p99 ${percentile(load, 0.99)} ms, ` +
      `max ${percentile(load, 1)} ms`,
  );
}
client.close();
server.close();
await worker.terminate();
