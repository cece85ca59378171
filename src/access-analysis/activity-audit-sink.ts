import type { AuditEventOf, AuditRecord, AuditSink } from '../audit/index.js';
import type { ActivityRecorder } from './activity-recorder.js';
import { literalPattern } from './resource-group.js';

/** The ARN parts the sink needs to name token-exchange audiences as resources. */
export interface ActivityAuditSettings {
  readonly partition: string;
  readonly account: string;
}

const EXCHANGE_ACTION = 'sts:ExchangeToken';
/** The token exchange refusals a policy decided (the others are the request's or the client's). */
const POLICY_REFUSALS: ReadonlySet<AuditEventOf<'token.refused'>['reason']> = new Set([
  'ExplicitDeny',
  'ImplicitDeny',
] as const);

/**
 * Feeds the activity record from the audit catalogue, so that STS, the portal and token exchange need no
 * hook of their own: `login.succeeded` (provider logins), `role.assumed` (sessions per role, last assumed by
 * which provider and subject), `token.exchanged` / `token.refused` for a policy decision (the subject role's
 * `sts:ExchangeToken` on `arn:<p>:sts::<acct>:audience/<aud>`).
 */
export function activityAuditSink(
  recorder: ActivityRecorder,
  settings: () => ActivityAuditSettings,
): AuditSink {
  return {
    write(record: AuditRecord) {
      const at = Date.parse(record.time);
      switch (record.event) {
        case 'login.succeeded':
          if (record.provider !== undefined) recorder.recordLogin(record.provider, at);
          return;
        case 'role.assumed':
          if (record.role !== undefined && record.provider !== undefined)
            recorder.recordAssumption(roleName(record.role), record.provider, record.subject ?? '', at);
          return;
        case 'token.exchanged':
        case 'token.refused': {
          const audience = record.details?.['audience'];
          if (record.role === undefined || typeof audience !== 'string') return;
          if (record.event === 'token.refused' && !POLICY_REFUSALS.has(record.reason)) return;
          const { partition, account } = settings();
          recorder.recordDecision(
            roleName(record.role),
            EXCHANGE_ACTION,
            literalPattern(`arn:${partition}:sts::${account}:audience/${audience}`),
            record.event === 'token.exchanged',
            at,
          );
          return;
        }
        default:
          return;
      }
    },
  };
}

/** A role name from a role name or role ARN (`arn:…:role/<name>`). */
function roleName(role: string): string {
  const at = role.lastIndexOf(':role/');
  return at < 0 ? role : role.slice(at + ':role/'.length);
}
