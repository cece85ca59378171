/**
 * The client side of bench/saml-worst-case.ts, in processes of its own so that its work (building and sending
 * half-megabyte bodies, timing `/healthz`) never runs on the gateway's event loop. The bench runs two: one
 * sends the hostile requests, the other only times `/healthz`, so that sending half a megabyte never delays a
 * probe's own clock. Driven over IPC:
 *
 *   { kind: 'keep', index, request }      remember a request (answered { kind: 'kept' })
 *   { kind: 'send', index }               send it once ({ kind: 'sent', status, wallMs })
 *   { kind: 'probe', seconds }            /healthz ({ kind: 'probed', latencies, sentAt, machine })
 *   { kind: 'hostile', seconds, rate, indexes }
 *                                         the kept requests at `rate` per second, open loop
 *                                         ({ kind: 'sent-hostile', outcomes })
 *
 * `machine` is what else ran meanwhile: the 1-minute load average and the kernel's count of runnable threads
 * (procs_running), sampled every second.
 */
import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface LoadRequest {
  readonly path: string;
  readonly contentType: string;
  readonly body: string;
}

export type LoadCommand =
  | { readonly kind: 'keep'; readonly index: number; readonly request: LoadRequest }
  | { readonly kind: 'send'; readonly index: number }
  | { readonly kind: 'probe'; readonly seconds: number }
  | { readonly kind: 'hostile'; readonly seconds: number; readonly rate: number; readonly indexes: number[] };

export interface MachineSample {
  readonly loadAverage: number[];
  readonly runnable: number[];
}

export type LoadAnswer =
  | { readonly kind: 'kept' }
  | { readonly kind: 'sent'; readonly status: number; readonly wallMs: number }
  | {
      readonly kind: 'probed';
      readonly latencies: number[];
      /** When each probe was sent, epoch milliseconds (to line probes up with the gateway's own events). */
      readonly sentAt: number[];
      readonly machine: MachineSample;
    }
  | { readonly kind: 'sent-hostile'; readonly outcomes: [number | string, number][] };

const PROBE_INTERVAL_MS = 10;
const url = process.argv[2] ?? '';
const kept = new Map<number, LoadRequest>();

async function send(request: LoadRequest): Promise<number> {
  const response = await fetch(`${url}${request.path}`, {
    method: 'POST',
    headers: { 'content-type': request.contentType },
    body: request.body,
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * The probe's client. `http` (the default): node:http on one kept-alive connection, as a load balancer's health
 * check holds one; `fetch` (BENCH_PROBE=fetch): undici's fetch, which the bench used first (idle p50 1.0–2.0 ms
 * on the 2-core machine, against 0.4–1.2 ms for node:http).
 */
const PROBE_CLIENT = process.env['BENCH_PROBE'] === 'fetch' ? 'fetch' : 'http';
const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function healthz(): Promise<void> {
  if (PROBE_CLIENT === 'fetch')
    return fetch(`${url}/healthz`).then(async (response) => void (await response.arrayBuffer()));
  return new Promise((resolve, reject) => {
    get(`${url}/healthz`, { agent: probeAgent }, (response) => {
      response.on('end', resolve).on('error', reject).resume();
    }).on('error', reject);
  });
}

/** `/healthz`, one at a time every PROBE_INTERVAL_MS, for `seconds`; latencies in ms and send times. */
async function probeHealthz(seconds: number): Promise<{ latencies: number[]; sentAt: number[] }> {
  const latencies: number[] = [];
  const sentAt: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    const started = performance.now();
    await healthz();
    latencies.push(performance.now() - started);
    sentAt.push(performance.timeOrigin + started);
    const wait = PROBE_INTERVAL_MS - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return { latencies, sentAt };
}

/** Hostile requests at `rate` per second (open loop: not waiting for answers) for `seconds`. */
async function hostileLoad(
  requests: readonly LoadRequest[],
  seconds: number,
  rate: number,
): Promise<[number | string, number][]> {
  const outcomes = new Map<number | string, number>();
  const pending: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = requests[i % requests.length] as LoadRequest;
    pending.push(
      send(request).then(
        (status) => void outcomes.set(status, (outcomes.get(status) ?? 0) + 1),
        () => void outcomes.set('error', (outcomes.get('error') ?? 0) + 1),
      ),
    );
  }
  await Promise.all(pending);
  return [...outcomes];
}

/** Samples the machine every second until `stop` is called. */
function sampleMachine(): { stop(): MachineSample } {
  const sample: { loadAverage: number[]; runnable: number[] } = { loadAverage: [], runnable: [] };
  const take = (): void => {
    sample.loadAverage.push(loadavg()[0] ?? NaN);
    const running = /procs_running (\d+)/.exec(readFileSync('/proc/stat', 'utf8'))?.[1];
    if (running !== undefined) sample.runnable.push(Number(running));
  };
  take();
  const timer = setInterval(take, 1000);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return sample;
    },
  };
}

async function answer(command: LoadCommand): Promise<LoadAnswer> {
  switch (command.kind) {
    case 'keep':
      kept.set(command.index, command.request);
      return { kind: 'kept' };
    case 'send': {
      const started = performance.now();
      const status = await send(kept.get(command.index) as LoadRequest);
      return { kind: 'sent', status, wallMs: performance.now() - started };
    }
    case 'probe': {
      const machine = sampleMachine();
      const { latencies, sentAt } = await probeHealthz(command.seconds);
      return { kind: 'probed', latencies, sentAt, machine: machine.stop() };
    }
    case 'hostile': {
      const requests = command.indexes.map((index) => kept.get(index) as LoadRequest);
      return { kind: 'sent-hostile', outcomes: await hostileLoad(requests, command.seconds, command.rate) };
    }
  }
}

process.on('message', (command: LoadCommand) => {
  void answer(command).then((reply) => process.send?.(reply));
});
process.on('disconnect', () => process.exit(0));
