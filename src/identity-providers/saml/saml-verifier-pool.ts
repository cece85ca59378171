import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SplitSamlJsonBody } from './saml-json-body.js';
import type { PostedSamlMessageData } from './saml-posted-message.js';
import { samlRejection } from './saml-rejection.js';
import type { SamlRejectionReason } from './saml-rejection.js';
import type { ResponseVerificationSettings, VerifiedResponse } from './saml-response-verification.js';
import type { SamlWorkerAnswer, SamlWorkerTask } from './saml-worker-protocol.js';

/** Wall-clock budget of one verification in a worker; past it the worker is ended and the message refused. */
export const SAML_VERIFICATION_BUDGET_MS = 5_000;
/** Jobs waiting for a worker beyond this are refused at once (503) rather than queued without bound. */
export const SAML_VERIFICATION_QUEUE_LIMIT = 64;

interface Job {
  readonly id: number;
  readonly task: SamlWorkerTask;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * SAML signature verification off the event loop: a few worker threads, each running one job at a time under
 * SAML_VERIFICATION_BUDGET_MS. Whatever shape a message has, the event loop only copies its posted bytes to
 * a worker, which decodes them (form and base64 encoding, UTF-8) and verifies; a worker that overruns the budget is terminated and replaced.
 */
export class SamlVerifierPool {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    this.#size = size;
  }

  /** Decodes and verifies one Response in a worker; refusals are samlRejection errors with its stable reason. */
  verify(message: PostedSamlMessageData, settings: ResponseVerificationSettings): Promise<VerifiedResponse> {
    const { encoding, bytes } = message;
    // The worker answers a `verify` task with a VerifiedResponse.
    return this.#submit({
      kind: 'verify',
      message: { encoding, bytes },
      settings,
    }) as Promise<VerifiedResponse>;
  }

  /**
   * Splits a JSON body carrying a SAML assertion in a worker (SplitSamlJsonBody); `undefined` when the body is not
   * JSON as the app's JSON parser reads it. Refused like a verification when the pool is busy or the work overruns.
   */
  splitJsonBody(body: Uint8Array): Promise<SplitSamlJsonBody | undefined> {
    // The worker answers a `split-json` task with a SplitSamlJsonBody or undefined.
    return this.#submit({ kind: 'split-json', body }) as Promise<SplitSamlJsonBody | undefined>;
  }

  #submit(task: SamlWorkerTask): Promise<unknown> {
    if (this.#closed) return Promise.reject(samlRejection('verifier-busy'));
    if (this.#queue.length >= SAML_VERIFICATION_QUEUE_LIMIT)
      return Promise.reject(samlRejection('verifier-busy'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, task, resolve, reject });
      this.#dispatch();
    });
  }

  /** Ends every worker; queued jobs are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(samlRejection('verifier-busy'));
    const slots = this.#slots.splice(0);
    for (const slot of slots) {
      if (slot.timer !== undefined) clearTimeout(slot.timer);
      slot.job?.reject(samlRejection('verifier-busy'));
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#slots.length < this.#size && this.#slots.length < this.#queue.length + this.#busy()) {
      this.#slots.push(this.#spawn());
    }
    for (const slot of this.#slots) {
      if (!slot.ready || slot.job !== undefined) continue;
      const job = this.#queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.worker.ref();
      slot.timer = setTimeout(() => this.#overrun(slot), SAML_VERIFICATION_BUDGET_MS);
      // A task's bytes are its own copy (PostedSamlMessage, the body read for it): moved, not copied again.
      const bytes = job.task.kind === 'verify' ? job.task.message.bytes : job.task.body;
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      slot.worker.postMessage(
        { id: job.id, ...job.task },
        owned && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [],
      );
    }
  }

  #busy(): number {
    return this.#slots.filter((slot) => slot.job !== undefined).length;
  }

  #spawn(): Slot {
    const worker = createWorker();
    const slot: Slot = { worker, ready: false, job: undefined, timer: undefined };
    worker.unref();
    worker.on('message', (message: SamlWorkerAnswer | { ready: true }) => {
      if ('ready' in message) {
        slot.ready = true;
        this.#dispatch();
        return;
      }
      const job = slot.job;
      if (job === undefined || job.id !== message.id) return;
      this.#finish(slot);
      if (message.ok) job.resolve(message.value);
      else job.reject(samlRejection(message.reason));
      this.#dispatch();
    });
    worker.on('error', () => this.#replace(slot, 'rejected-by-library'));
    worker.on('exit', () => this.#replace(slot, 'rejected-by-library'));
    return slot;
  }

  #finish(slot: Slot): void {
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    slot.worker.unref();
  }

  #overrun(slot: Slot): void {
    this.#replace(slot, 'verification-too-costly');
  }

  /** Drops a worker that overran, crashed or exited; its job is refused and a fresh worker takes its place. */
  #replace(slot: Slot, reason: SamlRejectionReason): void {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return;
    this.#slots.splice(index, 1);
    const job = slot.job;
    this.#finish(slot);
    slot.worker.removeAllListeners();
    slot.worker.on('error', () => undefined);
    void slot.worker.terminate();
    job?.reject(samlRejection(reason));
    // A worker that died before it was ready will not do better on a retry now: refuse what waits for it.
    if (!slot.ready) {
      for (const waiting of this.#queue.splice(0)) waiting.reject(samlRejection('verifier-busy'));
      return;
    }
    if (!this.#closed) this.#dispatch();
  }
}

/**
 * The worker: the compiled `.js` beside this module, or under tsx/vitest (this module is TypeScript source)
 * a small bootstrap that registers tsx's loader in the worker before importing the `.ts` entry.
 */
function createWorker(): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./saml-verification-worker.js', import.meta.url));
  const entry = new URL('./saml-verification-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

let shared: SamlVerifierPool | undefined;

/** The process-wide pool every SAML provider shares (workers start on first use). */
export function sharedSamlVerifierPool(): SamlVerifierPool {
  shared ??= new SamlVerifierPool();
  return shared;
}
