import type { AuditEvent } from '../audit/index.js';
import { FedgateError, isFedgateError } from '../errors/index.js';
import type { TrustRefusalReason } from '../federation/index.js';
import { explainRefusal, type RefusalFacts } from './authorization-message.js';
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

declare module '../errors/refusal-reason.js' {
  interface RefusalCatalogues {
    sts: StsRefusalReason;
  }
}

/** What is known about a request so far; filled in as the pipeline learns it, read when it is refused. */
export interface RequestNotes {
  action: string;
  provider?: string;
  subject?: string;
  role?: string;
  principal?: string;
  refusal?: StsRefusalReason;
  /** What was decided and over which context, for the encoded authorization message. */
  denial?: Pick<RefusalFacts, 'resource' | 'decision' | 'context'>;
}

/**
 * The STS AccessDenied: says which action, never which statement or whether the role exists. `denial` is kept
 * for the encoded authorization message that only a caller allowed `sts:DecodeAuthorizationMessage` can read.
 */
export function accessDenied(
  notes: RequestNotes,
  reason: StsRefusalReason,
  denial?: RequestNotes['denial'],
): FedgateError {
  notes.refusal = reason;
  if (denial !== undefined) notes.denial = denial;
  return new FedgateError('AccessDenied', `Not authorized to perform ${notes.action}`, { reason });
}

/**
 * Runs one assume-role pipeline; a failure is recorded as `role.refused` (outcome `denied` for AccessDenied,
 * `failure` otherwise, with the error code and the refusal reason) and rethrown unchanged.
 */
export async function withRefusalAudit<T>(
  options: Pick<StsServiceOptions, 'audit' | 'metrics' | 'authorizationMessages'>,
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
    // The pipeline's own refusal reason, else the stable reason the failing step gave (a SAML or web-identity
    // rejection such as `weak-algorithm`), so STS refusals are as explained in the audit as portal logins.
    const refusal = notes.refusal ?? (isFedgateError(error) ? error.reason : undefined);
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
      details: { action: notes.action, ...(refusal === undefined ? {} : { refusal }) },
    };
    options.audit.record(event);
    options.metrics?.roleAssumptions.inc({
      api: notes.action,
      outcome: event.outcome === 'denied' ? 'denied' : 'failed',
    });
    throw withEncodedMessage(options, notes, error);
  }
}

/** An AccessDenied refusal gains AWS's "Encoded authorization failure message" when a codec is configured. */
function withEncodedMessage(
  options: Pick<StsServiceOptions, 'authorizationMessages'>,
  notes: RequestNotes,
  error: unknown,
): unknown {
  const codec = options.authorizationMessages;
  if (
    codec === undefined ||
    !isFedgateError(error) ||
    error.code !== 'AccessDenied' ||
    notes.refusal === undefined
  )
    return error;
  const encoded = codec.encode(
    explainRefusal({
      reason: notes.refusal,
      principal: notes.principal ?? (notes.provider === undefined ? '' : `federated:${notes.provider}`),
      action: notes.action,
      resource: notes.denial?.resource ?? notes.role ?? '',
      decision: notes.denial?.decision,
      context: notes.denial?.context,
    }),
  );
  return new FedgateError(
    'AccessDenied',
    `${error.detail}. Encoded authorization failure message: ${encoded}`,
    {
      ...(error.reason === undefined ? {} : { reason: error.reason }),
      ...(error.internal === undefined ? {} : { internal: error.internal }),
    },
  );
}
