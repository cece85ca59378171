import type { PostedSamlMessageData } from './saml-posted-message.js';
import type { SamlRejectionReason } from './saml-rejection.js';
import type { ResponseVerificationSettings } from './saml-response-verification.js';

/** What a verification worker is asked to do: verify a posted Response, or split a JSON body (SplitSamlJsonBody). */
export type SamlWorkerTask =
  | {
      readonly kind: 'verify';
      readonly message: PostedSamlMessageData;
      readonly settings: ResponseVerificationSettings;
    }
  | { readonly kind: 'split-json'; readonly body: Uint8Array };

/** One job as posted to a worker. */
export type SamlWorkerJob = SamlWorkerTask & { readonly id: number };

/**
 * A worker's answer: the task's value (a VerifiedResponse, or a SplitSamlJsonBody or `undefined`), or a stable
 * rejection reason (errors themselves do not cross threads, and their messages may quote the input).
 */
export type SamlWorkerAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly reason: SamlRejectionReason };
