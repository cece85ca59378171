import type {
  AccessFindingsReport,
  GeneratedPolicyReport,
  LastAccessedReport,
  UnusedAccessReport,
  WhoCanReport,
} from '../access-analysis/index.js';
import { textTable } from './text-table.js';

const NEVER = 'never';

/** `fedgate access last-accessed` as text. */
export function lastAccessedText(report: LastAccessedReport): string {
  const assumed =
    report.lastAssumed === null
      ? NEVER
      : `${report.lastAssumed.at} by ${report.lastAssumed.subject} (${report.lastAssumed.provider})`;
  const rows = report.services.flatMap((service) => [
    [
      service.service,
      '',
      service.lastAccessed ?? 'never used',
      '',
      String(service.allowed),
      String(service.denied),
    ],
    ...service.actions.map((a) => [
      '',
      a.action,
      a.neverUsed ? 'never used' : (a.lastAllowed ?? ''),
      a.lastDenied ?? '',
      String(a.allowed),
      String(a.denied),
    ]),
  ]);
  return (
    `Role ${report.role} (${report.roleArn})\n` +
    `Last assumed: ${assumed}; ${report.sessions} session(s) from ${report.window.from} to ${report.window.to}\n\n` +
    textTable(['SERVICE', 'ACTION', 'LAST ALLOWED', 'LAST DENIED', 'ALLOWED', 'DENIED'], rows)
  );
}

/** `fedgate access unused` as text. */
export function unusedText(report: UnusedAccessReport): string {
  const roles = textTable(
    ['ROLE', 'LAST ASSUMED'],
    report.roles.map((r) => [r.role, r.lastAssumed === null ? NEVER : r.lastAssumed.at]),
  );
  const actions = textTable(
    ['ROLE', 'UNUSED ACTIONS'],
    report.actions.map((a) => [a.role, a.unusedActions.join(', ')]),
  );
  const providers = textTable(
    ['IDENTITY PROVIDER', 'LAST LOGIN'],
    report.identityProviders.map((p) => [p.provider, p.lastLogin ?? NEVER]),
  );
  return `Unused in the last ${report.days} days (since ${report.since})\n\nRoles not assumed:\n${roles}\nGranted actions not used:\n${actions}\nIdentity providers without logins:\n${providers}`;
}

/** `fedgate access generate-policy` as text: the policy JSON, then what it was built from. */
export function generatedPolicyText(report: GeneratedPolicyReport): string {
  const observed = textTable(
    ['OBSERVED ACTION', 'RESOURCES'],
    report.observed.map((o) => [o.action, o.resources.join(', ')]),
  );
  const findings =
    report.findings.length === 0
      ? 'Validation: no findings.\n'
      : `Validation findings:\n${report.findings.map((f) => `  ${f.severity} ${f.code} at ${f.path}: ${f.message}`).join('\n')}\n`;
  return `${JSON.stringify(report.policy, null, 2)}\n\n${observed}\n${findings}Size: ${report.size} characters\n`;
}

/** `fedgate access who-can` as text. */
export function whoCanText(report: WhoCanReport): string {
  const rows = report.roles.map((r) => [
    r.role,
    r.access,
    r.requiredContext === undefined
      ? ''
      : Object.entries(r.requiredContext)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
    r.reachableThrough
      .map((p) => {
        const who = p.identityProviders.length > 0 ? p.identityProviders.join('|') : p.principals.join('|');
        const subjects =
          p.subjects.length === 0
            ? 'any subject'
            : p.subjects.map((c) => `${c.key}=${c.values.join('|')}`).join(' ');
        const rest = [...p.groups, ...p.conditions].map(
          (c) => `${c.key} ${c.operator} ${c.values.join('|')}`,
        );
        return [who, subjects, ...rest].join('; ');
      })
      .join(' / ') || 'nobody',
  ]);
  return `Who can ${report.action} on ${report.resource}\n\n${textTable(['ROLE', 'ACCESS', 'NEEDS CONTEXT', 'REACHED THROUGH'], rows)}`;
}

/** `fedgate access findings` as text. */
export function findingsText(report: AccessFindingsReport): string {
  if (report.findings.length === 0) return 'No findings.\n';
  return textTable(
    ['ID', 'SEVERITY', 'TYPE', 'RESOURCE', 'REASON / FIX'],
    report.findings.map((f) => [f.id, f.severity, f.type, f.resource, `${f.reason} Fix: ${f.suggestedFix}`]),
  );
}
