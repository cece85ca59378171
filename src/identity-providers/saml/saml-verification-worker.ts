/**
 * Worker thread entry: decodes and verifies posted SAML Responses, and splits the JSON bodies that carry them, off
 * the gateway's event loop. Each message is one SamlWorkerJob; the answer is `{ id, ok: true, value }` or
 * `{ id, ok: false, reason }` with a stable rejection reason.
 */
import { parentPort } from 'node:worker_threads';
import { splitSamlJsonBody } from './saml-json-body.js';
import { decodePostedSamlMessage } from './saml-posted-message.js';
import { rejectionReasonOf, verifySamlResponse } from './saml-response-verification.js';
import type { SamlWorkerAnswer, SamlWorkerJob } from './saml-worker-protocol.js';

/** A job's value, with the buffers that move back to the event loop instead of being copied. */
async function run(job: SamlWorkerJob): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  if (job.kind === 'split-json') {
    const split = splitSamlJsonBody(job.body);
    const buffer = split?.assertion?.buffer;
    return { value: split, transfer: buffer instanceof ArrayBuffer ? [buffer] : [] };
  }
  return {
    value: await verifySamlResponse(decodePostedSamlMessage(job.message), job.settings),
    transfer: [],
  };
}

const port = parentPort;
if (port !== null) {
  port.on('message', (job: SamlWorkerJob) => {
    run(job).then(
      ({ value, transfer }) =>
        port.postMessage({ id: job.id, ok: true, value } satisfies SamlWorkerAnswer, transfer),
      (error: unknown) =>
        port.postMessage({
          id: job.id,
          ok: false,
          reason: rejectionReasonOf(error),
        } satisfies SamlWorkerAnswer),
    );
  });
  port.postMessage({ ready: true });
}
