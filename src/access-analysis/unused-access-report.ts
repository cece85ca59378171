import type { GatewayConfig } from '../config/index.js';
import { roleArnFor } from '../sessions/index.js';
import { withinDays, type ActivityWindow, type LastAssumption } from './activity-reader.js';
import { grantedActions, knownActions } from './role-grants.js';

/** `fedgate access unused --days N` / `GET /access/unused?days=N`. */
export interface UnusedAccessReport {
  readonly days: number;
  readonly since: string;
  /** Roles not assumed within the N days. */
  readonly roles: readonly {
    readonly role: string;
    readonly roleArn: string;
    readonly lastAssumed: LastAssumption | null;
  }[];
  /** Per role: granted actions that no allowed request used within the N days. */
  readonly actions: readonly {
    readonly role: string;
    readonly roleArn: string;
    readonly unusedActions: readonly string[];
  }[];
  /** Identity providers with no login within the N days. */
  readonly identityProviders: readonly { readonly provider: string; readonly lastLogin: string | null }[];
}

/**
 * Unused access (AWS IAM Access Analyzer "unused access"): roles never assumed, granted actions never used
 * (computed against each role's effective policies: identity within boundary and guardrails) and identity
 * providers with no logins, all within the last `days` days.
 */
export function unusedAccessReport(
  config: GatewayConfig,
  activity: ActivityWindow,
  nowMs: number,
): UnusedAccessReport {
  const days = activity.days;
  const roles: UnusedAccessReport['roles'][number][] = [];
  const actions: UnusedAccessReport['actions'][number][] = [];
  for (const role of config.roles) {
    const arn = roleArnFor(config.partition, config.account, role.name);
    const seen = activity.roles.find((r) => r.role === role.name);
    const lastAssumed = seen?.lastAssumed ?? null;
    if (!withinDays(lastAssumed?.at ?? null, nowMs, days))
      roles.push({ role: role.name, roleArn: arn, lastAssumed });
    const used = new Set(
      (seen?.actions ?? [])
        .filter((a) => withinDays(a.lastAllowed, nowMs, days))
        .map((a) => a.action.toLowerCase()),
    );
    const granted = grantedActions(
      config,
      role.name,
      knownActions(
        config,
        (seen?.actions ?? []).map((a) => a.action),
      ),
    );
    const unusedActions = granted.filter((a) => !used.has(a.toLowerCase()));
    if (unusedActions.length > 0) actions.push({ role: role.name, roleArn: arn, unusedActions });
  }
  const identityProviders = config.identityProviders
    .map((p) => ({ provider: p.id, lastLogin: activity.providerLogins.get(p.id) ?? null }))
    .filter((p) => !withinDays(p.lastLogin, nowMs, days));
  return { days, since: activity.from, roles, actions, identityProviders };
}
