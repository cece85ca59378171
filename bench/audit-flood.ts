/**
 * Audit volume of an invalid-token flood at /authz, with refusal aggregation off and on, in the same run.
 *
 *   npx tsx bench/audit-flood.ts        (BENCH_SECONDS=10 BENCH_CONNECTIONS=20 by default; needs /usr/bin/wrk)
 *
 * Starts the gateway (composition root, embedded store, a file audit sink) twice: `audit.refusalWindow: 0`
 * (one audit line per refusal, the behaviour before aggregation) and the default 10 s window. wrk sends
 * `/authz` requests with a forged bearer token; the audit file's size and line count are read afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { startGateway } from '../src/main.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 20);
const FORGED = `eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vLXN1Y2gta2V5In0.eyJzdWIiOiJ4In0.${'A'.repeat(86)}`;

interface Run {
  readonly window: string;
  readonly requests: number;
  readonly rps: number;
  readonly bytes: number;
  readonly lines: number;
}

async function measure(window: string): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-audit-flood-'));
  const auditPath = join(dir, 'audit.log');
  const configPath = join(dir, 'gateway.yaml');
  await writeFile(
    configPath,
    stringify({
      publicUrl: 'http://127.0.0.1:9',
      listen: { host: '127.0.0.1', port: 0 },
      trustProxies: ['127.0.0.1/32'],
      log: { level: 'silent' },
      audit: { sinks: [{ kind: 'file', path: auditPath }], refusalWindow: window },
      routes: [
        {
          host: 'orders.test',
          methods: ['GET'],
          path: '/orders/:id',
          action: 'orders:GetOrder',
          resource: 'arn:fedgate:orders:::order/${id}',
        },
      ],
    }),
  );
  const gateway = await startGateway({ configPath, env: {}, watch: false, port: 0 });
  let out: string;
  try {
    ({ stdout: out } = await promisify(execFile)('/usr/bin/wrk', [
      `-c${CONNECTIONS}`,
      '-t2',
      `-d${SECONDS}s`,
      '-H',
      `Authorization: Bearer ${FORGED}`,
      '-H',
      'X-Forwarded-Method: GET',
      '-H',
      'X-Forwarded-Proto: https',
      '-H',
      'X-Forwarded-Host: orders.test',
      '-H',
      'X-Forwarded-Uri: /orders/42',
      `${gateway.url}/authz`,
    ]));
  } finally {
    await gateway.close();
  }
  const audit = await readFile(auditPath, 'utf8');
  await rm(dir, { recursive: true, force: true });
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return {
    window,
    requests,
    rps: requests / SECONDS,
    bytes: Buffer.byteLength(audit),
    lines: audit.split('\n').filter((line) => line !== '').length,
  };
}

const runs = [await measure('0'), await measure('10s')];
console.log(`invalid-token flood at /authz, wrk -c${CONNECTIONS} -d${SECONDS}s, file audit sink\n`);
console.log(
  '| refusalWindow | requests | req/s | audit lines | audit bytes | bytes/request | MB per minute at this rate |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const run of runs) {
  const perMinute = ((run.bytes / SECONDS) * 60) / 1e6;
  console.log(
    `| ${run.window} | ${run.requests} | ${run.rps.toFixed(0)} | ${run.lines} | ${run.bytes} | ${(run.bytes / run.requests).toFixed(2)} | ${perMinute.toFixed(3)} |`,
  );
}
const [off, on] = runs as [Run, Run];
console.log(
  `\nbytes per refusal, off ÷ on: ${(off.bytes / off.requests / (on.bytes / on.requests)).toFixed(0)}×`,
);
