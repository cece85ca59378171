import { createHash } from 'node:crypto';
import type { GatewayConfig } from '../config/index.js';
import { roleArnFor } from '../sessions/index.js';
import type { ActivityWindow } from './activity-reader.js';
import { listOf, statementsOf } from './role-grants.js';
import { conditionsOf } from './who-can-report.js';
import type { UnusedAccessReport } from './unused-access-report.js';

/** The kinds of finding, each a stable code. */
export type AccessFindingType =
  | 'ResourcePolicyPublic'
  | 'ResourcePolicyCrossAccount'
  | 'TrustPolicyAnySubject'
  | 'RoleWildcardActionOnAnyResource'
  | 'GuardrailAllowsAll'
  | 'RoleUnused'
  | 'UnusedActions';

/** How urgent a finding is. */
export type AccessFindingSeverity = 'critical' | 'high' | 'medium' | 'low';

/** One finding (IAM Access Analyzer style). */
export interface AccessFinding {
  /** Stable across runs for the same finding: derived from its type, resource and configuration path. */
  readonly id: string;
  readonly type: AccessFindingType;
  readonly severity: AccessFindingSeverity;
  /** The ARN (or ARN pattern) the finding is about. */
  readonly resource: string;
  /** Where in the configuration. */
  readonly path: string;
  readonly reason: string;
  readonly suggestedFix: string;
}

/** `fedgate access findings` / `GET /access/findings`. */
export interface AccessFindingsReport {
  readonly days: number;
  readonly findings: readonly AccessFinding[];
}

const SEVERITY_ORDER: Readonly<Record<AccessFindingSeverity, number>> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
};

/**
 * Findings over the configuration and the activity of the last `days` days: public or cross-account
 * resource policies without conditions, trust policies admitting any subject of a provider, roles with
 * wildcard actions on `*`, guardrails that allow everything, roles unused and granted actions never used.
 */
export function accessFindingsReport(
  config: GatewayConfig,
  unused: UnusedAccessReport,
  activity: ActivityWindow,
): AccessFindingsReport {
  const findings: AccessFinding[] = [];
  const add = (f: Omit<AccessFinding, 'id'>): void => {
    const id = `AF-${createHash('sha256').update(`${f.type}\u0000${f.resource}\u0000${f.path}`).digest('hex').slice(0, 12)}`;
    findings.push({ id, ...f });
  };

  config.resources.forEach((resource, r) => {
    statementsOf(resource.policy).forEach((s, i) => {
      if (s['Effect'] !== 'Allow' || hasConditions(s)) return;
      const path = `resources[${r}].policy.Statement[${i}]`;
      const principals = awsPrincipals(s['Principal']);
      if (principals.includes('*')) {
        add({
          type: 'ResourcePolicyPublic',
          severity: 'critical',
          resource: resource.arn,
          path,
          reason: 'The resource policy allows any principal ("*") with no condition.',
          suggestedFix:
            'Name the principals that need access, or add a condition (aws:PrincipalArn, aws:SourceIp…).',
        });
        return;
      }
      const foreign = principals.filter((p) => accountOf(p) !== undefined && accountOf(p) !== config.account);
      if (foreign.length > 0)
        add({
          type: 'ResourcePolicyCrossAccount',
          severity: 'high',
          resource: resource.arn,
          path,
          reason: `The resource policy allows another account (${[...new Set(foreign.map(accountOf))].join(', ')}) with no condition.`,
          suggestedFix:
            'Name the exact roles of that account, or add a condition that restricts who may use the grant.',
        });
    });
  });

  config.roles.forEach((role, r) => {
    const arn = roleArnFor(config.partition, config.account, role.name);
    statementsOf(role.trustPolicy).forEach((s, i) => {
      if (s['Effect'] !== 'Allow') return;
      const federated = principalList(s['Principal'], 'Federated');
      if (federated.length === 0 && s['Principal'] !== '*') return;
      const keys = conditionsOf(s['Condition']).map((c) => c.key.toLowerCase());
      const restricts = keys.some(
        (k) => /(^|:)(sub|aud)$/.test(k) || k === 'fedgate:groups' || /group/.test(k),
      );
      if (restricts) return;
      add({
        type: 'TrustPolicyAnySubject',
        severity: 'high',
        resource: arn,
        path: `roles[${r}].trustPolicy.Statement[${i}]`,
        reason: `The trust policy admits any subject of ${federated.length === 0 ? 'any provider' : federated.join(', ')}: no condition on the subject, audience or groups.`,
        suggestedFix:
          'Add a condition on the subject (<provider>:sub, saml:sub), the audience or fedgate:groups.',
      });
    });
    const documents = [
      ...role.policies.map((name) => ({ path: `policies.${name}`, document: config.policies[name] })),
      ...Object.entries(role.inlinePolicies).map(([name, document]) => ({
        path: `roles[${r}].inlinePolicies.${name}`,
        document,
      })),
    ];
    for (const { path, document } of documents)
      statementsOf(document).forEach((s, i) => {
        if (s['Effect'] !== 'Allow') return;
        const wildcard = listOf(s['Action']).filter((a) => a.includes('*'));
        if (wildcard.length === 0 || !listOf(s['Resource']).includes('*')) return;
        add({
          type: 'RoleWildcardActionOnAnyResource',
          severity: wildcard.includes('*') ? 'high' : 'medium',
          resource: arn,
          path: `${path}.Statement[${i}]`,
          reason: `The role is allowed ${wildcard.join(', ')} on every resource ("*").`,
          suggestedFix: `Replace the wildcard with the actions used (fedgate access generate-policy --role ${role.name}).`,
        });
      });
  });

  config.guardrails.forEach((guardrail, g) => {
    const statements = statementsOf(guardrail);
    if (statements.some((s) => s['Effect'] === 'Deny')) return;
    const allowsAll = statements.some(
      (s) =>
        s['Effect'] === 'Allow' &&
        !hasConditions(s) &&
        listOf(s['Action']).includes('*') &&
        listOf(s['Resource']).includes('*'),
    );
    if (!allowsAll) return;
    add({
      type: 'GuardrailAllowsAll',
      severity: 'low',
      resource: `arn:${config.partition}:fedgate::${config.account}:guardrail/${g}`,
      path: `guardrails[${g}]`,
      reason: 'The guardrail allows every action on every resource and denies nothing: it restricts no role.',
      suggestedFix:
        'Deny what no role may ever do (deletes without MFA, other accounts), or remove the guardrail.',
    });
  });

  for (const role of unused.roles)
    add({
      type: 'RoleUnused',
      severity: 'medium',
      resource: role.roleArn,
      path: `roles[${config.roles.findIndex((r) => r.name === role.role)}]`,
      reason:
        role.lastAssumed === null
          ? `The role was never assumed in the last ${activity.days} days.`
          : `The role was last assumed ${role.lastAssumed.at}, more than ${activity.days} days ago.`,
      suggestedFix: 'Remove the role, or narrow its trust policy so that no one can assume it.',
    });
  for (const entry of unused.actions)
    add({
      type: 'UnusedActions',
      severity: 'low',
      resource: entry.roleArn,
      path: `roles[${config.roles.findIndex((r) => r.name === entry.role)}]`,
      reason: `The role's policies grant ${entry.unusedActions.length} action(s) not used in the last ${activity.days} days: ${entry.unusedActions.join(', ')}.`,
      suggestedFix: `Remove them (fedgate access generate-policy --role ${entry.role} --days ${activity.days} proposes a policy).`,
    });

  findings.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { days: activity.days, findings };
}

function hasConditions(s: Readonly<Record<string, unknown>>): boolean {
  return conditionsOf(s['Condition']).length > 0;
}

function principalList(principal: unknown, type: string): string[] {
  if (typeof principal !== 'object' || principal === null) return [];
  return listOf((principal as Record<string, unknown>)[type]);
}

/** `AWS` principals; `"*"` and `{"AWS": "*"}` both as `*`. */
function awsPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  return principalList(principal, 'AWS');
}

/** The account a principal names: a 12-digit id or the account field of an ARN. */
function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const account = principal.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}
