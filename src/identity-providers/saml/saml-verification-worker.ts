/**
 * Worker thread entry: decodes and verifies posted SAML Responses off the gateway's event loop. Each message
 * is one job `{ id, message, settings }`; the answer is `{ id, ok: true, verified }` or
 * `{ id, ok: false, reason }` with a stable rejection reason (errors themselves do not cross threads, and
 * their messages may quote the input).
 */
import { parentPort } from 'node:worker_threads';
import { decodePostedSamlMessage } from './saml-posted-message.js';
import type { PostedSamlMessageData } from './saml-posted-message.js';
import { rejectionReasonOf, verifySamlResponse } from './saml-response-verification.js';
import type { ResponseVerificationSettings } from './saml-response-verification.js';

interface Job {
  readonly id: number;
  readonly message: PostedSamlMessageData;
  readonly settings: ResponseVerificationSettings;
}

const port = parentPort;
if (port !== null) {
  port.on('message', (job: Job) => {
    Promise.resolve(job)
      .then(({ message, settings }) => verifySamlResponse(decodePostedSamlMessage(message), settings))
      .then(
        (verified) => port.postMessage({ id: job.id, ok: true, verified }),
        (error: unknown) => port.postMessage({ id: job.id, ok: false, reason: rejectionReasonOf(error) }),
      );
  });
  port.postMessage({ ready: true });
}
