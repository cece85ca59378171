import type { GatewayConfig } from '../config/index.js';
import { roleArnFor } from '../sessions/index.js';
import type { ActivityWindow, LastAssumption, ResourceActivity } from './activity-reader.js';
import { unknownRole } from './access-report-errors.js';
import { grantedActions, knownActions } from './role-grants.js';

/** One action in the last-accessed report. */
export interface LastAccessedAction {
  readonly action: string;
  /** Whether the role's effective policies grant it (under some condition). */
  readonly granted: boolean;
  /** No allowed request within the retention. */
  readonly neverUsed: boolean;
  readonly lastAllowed: string | null;
  readonly lastDenied: string | null;
  /** Counts within the report window. */
  readonly allowed: number;
  readonly denied: number;
  readonly resources: readonly ResourceActivity[];
  readonly resourceOverflow: number;
}

/** One service (the action prefix) in the last-accessed report. */
export interface LastAccessedService {
  readonly service: string;
  readonly lastAccessed: string | null;
  readonly neverUsed: boolean;
  readonly allowed: number;
  readonly denied: number;
  readonly actions: readonly LastAccessedAction[];
}

/** `fedgate access last-accessed --role R` / `GET /access/last-accessed?role=R`. */
export interface LastAccessedReport {
  readonly role: string;
  readonly roleArn: string;
  readonly window: { readonly from: string; readonly to: string; readonly days: number };
  readonly lastAssumed: LastAssumption | null;
  readonly sessions: number;
  readonly actionOverflow: number;
  readonly services: readonly LastAccessedService[];
}

/**
 * Per service and action: last allowed and denied times, counts in the window, and "never used" for actions
 * the role's policies grant that no allowed request used (AWS "last accessed information", per action).
 */
export function lastAccessedReport(
  config: GatewayConfig,
  activity: ActivityWindow,
  role: string,
): LastAccessedReport {
  const roleActivity = activity.roles.find((r) => r.role === role);
  if (roleActivity === undefined || !config.roles.some((r) => r.name === role)) throw unknownRole();
  const observed = new Map(roleActivity.actions.map((a) => [a.action.toLowerCase(), a]));
  const granted = new Set(
    grantedActions(
      config,
      role,
      knownActions(
        config,
        roleActivity.actions.map((a) => a.action),
      ),
    ).map((a) => a.toLowerCase()),
  );
  const names = new Map<string, string>();
  for (const a of roleActivity.actions) names.set(a.action.toLowerCase(), a.action);
  for (const a of knownActions(config))
    if (granted.has(a.toLowerCase()) && !names.has(a.toLowerCase())) names.set(a.toLowerCase(), a);
  const byService = new Map<string, LastAccessedAction[]>();
  for (const [lower, action] of [...names.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const seen = observed.get(lower);
    const service = action.slice(0, Math.max(0, action.indexOf(':'))) || action;
    const entry: LastAccessedAction = {
      action,
      granted: granted.has(lower),
      neverUsed: seen?.lastAllowed == null,
      lastAllowed: seen?.lastAllowed ?? null,
      lastDenied: seen?.lastDenied ?? null,
      allowed: seen?.allowed ?? 0,
      denied: seen?.denied ?? 0,
      resources: seen?.resources ?? [],
      resourceOverflow: seen?.resourceOverflow ?? 0,
    };
    const list = byService.get(service) ?? [];
    list.push(entry);
    byService.set(service, list);
  }
  const services = [...byService.entries()].map(([service, actions]) => {
    const last =
      actions
        .map((a) => a.lastAllowed)
        .filter((t): t is string => t !== null)
        .sort()
        .pop() ?? null;
    return {
      service,
      lastAccessed: last,
      neverUsed: last === null,
      allowed: actions.reduce((n, a) => n + a.allowed, 0),
      denied: actions.reduce((n, a) => n + a.denied, 0),
      actions,
    };
  });
  return {
    role,
    roleArn: roleArnFor(config.partition, config.account, role),
    window: { from: activity.from, to: activity.to, days: activity.days },
    lastAssumed: roleActivity.lastAssumed,
    sessions: roleActivity.sessions,
    actionOverflow: roleActivity.actionOverflow,
    services,
  };
}
