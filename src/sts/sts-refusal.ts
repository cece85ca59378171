import type { AuditEvent } from '../audit/index.js';
import { FedgateError, isFedgateError } from '../errors/index.js';
import type { TrustRefusalReason } from '../federation/index.js';
import type { StsRequestContext, StsServiceOptions } from './sts-ports.js';

/**
 * Why an assume-role request was refused, for audit events: the trust step's reasons, plus
 * - `UnknownRole`: no such role (the caller is told only AccessDenied, so roles cannot be enumerated);
 * - `CallerNotAllowed`: a chaining caller's own policies do not allow `sts:AssumeRole` on the target;
 * - `CallerTagSessionDenied` / `CallerSetSourceIdentityDenied`: they do not allow tagging / setting a source identity.
 */
export type StsRefusalReason =
  | TrustRefusalReason
  | 'UnknownRole'
  | 'CallerNotAllowed'
  | 'CallerTagSessionDenied'
  | 'CallerSetSourceIdentityDenied';

/** What is known about a request so far; filled in as the pipeline learns it, read when it is refused. */
export interface RequestNotes {
  action: string;
  provider?: string;
  subject?: string;
  role?: string;
  principal?: string;
  refusal?: StsRefusalReason;
}

/** The STS AccessDenied: says which action, never which statement or whether the role exists. */
export function accessDenied(notes: RequestNotes, reason: StsRefusalReason): FedgateError {
  notes.refusal = reason;
  return new FedgateError('AccessDenied', `Not authorized to perform ${notes.action}`, { internal: reason });
}

/**
 * Runs one assume-role pipeline; a failure is recorded as `role.refused` (outcome `denied` for AccessDenied,
 * `failure` otherwise, with the error code and the refusal reason) and rethrown unchanged.
 */
export async function withRefusalAudit<T>(
  options: Pick<StsServiceOptions, 'audit' | 'metrics'>,
  ctx: StsRequestContext,
  notes: RequestNotes,
  run: () => Promise<T>,
): Promise<T> {
  try {
    const result = await run();
    options.metrics?.roleAssumptions.inc({ api: notes.action, outcome: 'issued' });
    return result;
  } catch (error) {
    const code = isFedgateError(error) ? error.code : 'InternalError';
    const event: AuditEvent = {
      event: 'role.refused',
      outcome: code === 'AccessDenied' ? 'denied' : 'failure',
      reason: code,
      ...(notes.principal === undefined ? {} : { principal: notes.principal }),
      ...(notes.provider === undefined ? {} : { provider: notes.provider }),
      ...(notes.subject === undefined ? {} : { subject: notes.subject }),
      ...(notes.role === undefined ? {} : { role: notes.role }),
      ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
      ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
      details: { action: notes.action, ...(notes.refusal === undefined ? {} : { refusal: notes.refusal }) },
    };
    options.audit.record(event);
    options.metrics?.roleAssumptions.inc({
      api: notes.action,
      outcome: event.outcome === 'denied' ? 'denied' : 'failed',
    });
    throw error;
  }
}
