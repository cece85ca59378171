import type { GatewayConfig } from '../config/index.js';
import {
  authorize,
  parsePolicy,
  policySize,
  principalFromArn,
  validatePolicy,
  type PolicyFinding,
  type PrincipalIdentity,
} from '../policy/index.js';
import { rolePolicyDocuments } from '../roles/index.js';
import { roleArnFor } from '../sessions/index.js';
import type { ActivityWindow } from './activity-reader.js';
import { unknownRole } from './access-report-errors.js';
import { listOf, statementsOf, versionOf, type RawStatement } from './role-grants.js';

/** An observed allowed action and the resource groups it was allowed on. */
export interface ObservedAccess {
  readonly action: string;
  readonly resources: readonly string[];
}

/** `fedgate access generate-policy --role R --days N` / `GET /access/generate-policy?role=R&days=N`. */
export interface GeneratedPolicyReport {
  readonly role: string;
  readonly roleArn: string;
  readonly window: { readonly from: string; readonly to: string; readonly days: number };
  /** The least-privilege identity policy. */
  readonly policy: { readonly Version: '2012-10-17'; readonly Statement: readonly Record<string, unknown>[] };
  /** `validatePolicy(policy, 'identity')`: empty when the policy is clean. */
  readonly findings: readonly PolicyFinding[];
  /** Characters, whitespace not counted (managed policies hold 6,144). */
  readonly size: number;
  /** What the policy was generated from. */
  readonly observed: readonly ObservedAccess[];
  /** Observed allowed access no identity statement granted (a resource policy did): left to that policy. */
  readonly grantedElsewhere: readonly ObservedAccess[];
}

/** A resource group is generalised to its parent collection once this many siblings were observed. */
const GENERALISE_AT = 3;

interface SourceStatement {
  readonly policy: string;
  readonly index: number;
  readonly statement: RawStatement;
  readonly version: string;
}

/**
 * Builds a least-privilege identity policy from the allowed requests observed within the window:
 *
 * - every action is named exactly; each (action, resource group) goes to the first Allow statement of the
 *   role's current identity policies that grants it, whose `Condition` is kept;
 * - resources are the observed groups; siblings are generalised to their parent (`order/*`) only when at
 *   least three were observed and the source statement grants the parent; a source statement whose resource
 *   uses policy variables (ABAC) or `NotResource` keeps its own resource element;
 * - every Deny statement of the current identity policies that applies to a generated action is kept.
 *
 * Each generated Allow is thus the source statement narrowed to fewer actions and resources, so the policy
 * never allows what today's identity policies (and with them, the role) deny.
 */
export function generatePolicyReport(
  config: GatewayConfig,
  activity: ActivityWindow,
  role: string,
): GeneratedPolicyReport {
  const docs = rolePolicyDocuments(config, role);
  const roleActivity = activity.roles.find((r) => r.role === role);
  if (docs === undefined || roleActivity === undefined) throw unknownRole();
  const principal = principalFromArn(docs.principal);
  const sources: SourceStatement[] = docs.identityPolicies.flatMap((p) =>
    statementsOf(p.document).map((statement, index) => ({
      policy: p.name,
      index,
      statement,
      version: versionOf(p.document),
    })),
  );
  const allows = sources.filter((s) => s.statement['Effect'] === 'Allow');

  const observed: ObservedAccess[] = roleActivity.actions
    .filter((a) => a.allowed > 0)
    .map((a) => ({
      action: a.action,
      resources: a.resources.filter((r) => r.allowed > 0).map((r) => r.resource),
    }));

  // (source statement, resource element) → actions
  const groups = new Map<
    string,
    { source: SourceStatement; resource: Record<string, unknown>; actions: Set<string> }
  >();
  const grantedElsewhere: ObservedAccess[] = [];
  const add = (source: SourceStatement, resource: Record<string, unknown>, action: string): void => {
    const key = `${source.policy}\u0000${source.index}\u0000${JSON.stringify(resource)}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { source, resource, actions: new Set() };
      groups.set(key, group);
    }
    group.actions.add(action);
  };

  for (const { action, resources } of observed) {
    const exact = new Map<SourceStatement, string[]>();
    const missed: string[] = [];
    const targets = resources.length === 0 ? [undefined] : resources;
    for (const resource of targets) {
      const source =
        resource === undefined
          ? undefined
          : allows.find((s) => grants(s, principal, action, resource, false));
      if (source !== undefined && resource !== undefined) {
        exact.set(source, [...(exact.get(source) ?? []), resource]);
        continue;
      }
      const broad = allows.find((s) =>
        grants(s, principal, action, `arn:${config.partition}:any:::any`, true),
      );
      if (broad === undefined) {
        if (resource !== undefined) missed.push(resource);
        continue;
      }
      add(broad, ownResourceElement(broad, principal, action, resource), action);
    }
    for (const [source, list] of exact) {
      const resourcesOut = generalise(list, (parent) => grants(source, principal, action, parent, false));
      add(source, { Resource: resourcesOut.length === 1 ? resourcesOut[0] : resourcesOut }, action);
    }
    if (missed.length > 0) grantedElsewhere.push({ action, resources: missed });
  }

  const statements: Record<string, unknown>[] = [];
  let n = 0;
  for (const { source, resource, actions } of groups.values()) {
    const sorted = [...actions].sort();
    const condition = source.statement['Condition'];
    statements.push({
      Sid: `Observed${++n}`,
      Effect: 'Allow',
      Action: sorted.length === 1 ? sorted[0] : sorted,
      ...resource,
      ...(condition === undefined ? {} : { Condition: condition }),
    });
  }
  const generatedActions = [...groups.values()].flatMap((g) => [...g.actions]);
  let k = 0;
  for (const source of sources) {
    if (source.statement['Effect'] !== 'Deny') continue;
    if (
      !generatedActions.some((action) =>
        grants(source, principal, action, `arn:${config.partition}:any:::any`, true, 'ExplicitDeny'),
      )
    )
      continue;
    const { Sid: _sid, ...rest } = source.statement;
    statements.push({ Sid: `KeptDeny${++k}`, ...rest });
  }
  const policy = { Version: '2012-10-17' as const, Statement: statements };
  return {
    role,
    roleArn: roleArnFor(config.partition, config.account, role),
    window: { from: activity.from, to: activity.to, days: activity.days },
    policy,
    findings: validatePolicy(policy, 'identity'),
    size: policySize(policy),
    observed,
    grantedElsewhere,
  };
}

/**
 * Whether the source statement, without its conditions (and with `Resource: "*"` when `anyResource`),
 * grants (or, for a Deny, denies) the action on the resource, as the policy engine decides.
 */
function grants(
  source: SourceStatement,
  principal: PrincipalIdentity,
  action: string,
  resource: string,
  anyResource: boolean,
  expected: 'Allow' | 'ExplicitDeny' = 'Allow',
): boolean {
  const { Condition: _condition, Resource, NotResource, ...rest } = source.statement;
  const statement = anyResource
    ? { ...rest, Resource: '*' }
    : {
        ...rest,
        ...(Resource === undefined ? {} : { Resource }),
        ...(NotResource === undefined ? {} : { NotResource }),
      };
  try {
    const policy = parsePolicy(
      { Version: source.version, Statement: [statement] },
      { name: 'source', kind: 'identity' },
    );
    return (
      authorize({ principal, action, resource, context: {} }, { identityPolicies: [policy] }).decision ===
      expected
    );
  } catch {
    return false;
  }
}

/**
 * The resource element for an observed resource the source statement grants only under context (policy
 * variables) or through `NotResource`: the statement's own element, or the parts of it inside the group.
 */
function ownResourceElement(
  source: SourceStatement,
  principal: PrincipalIdentity,
  action: string,
  group: string | undefined,
): Record<string, unknown> {
  const s = source.statement;
  if (s['NotResource'] !== undefined) return { NotResource: s['NotResource'] };
  const own = listOf(s['Resource']);
  if (group !== undefined && !own.some((r) => r.includes('${'))) {
    // Parts of the statement's resource that the observed group contains: the narrower of the two.
    const inside = own.filter((r) => {
      try {
        const policy = parsePolicy(
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: group }] },
          { name: 'group', kind: 'identity' },
        );
        return (
          authorize({ principal, action, resource: r, context: {} }, { identityPolicies: [policy] })
            .decision === 'Allow'
        );
      } catch {
        return false;
      }
    });
    if (inside.length > 0) return { Resource: inside.length === 1 ? inside[0] : inside };
  }
  return { Resource: s['Resource'] ?? '*' };
}

/** Replaces ≥ GENERALISE_AT sibling groups (`…/red/*`, `…/blue/*`, `…/green/*`) by their parent when allowed. */
function generalise(resources: readonly string[], parentGranted: (parent: string) => boolean): string[] {
  const byParent = new Map<string, string[]>();
  const kept: string[] = [];
  for (const resource of resources) {
    const parent = parentOf(resource);
    if (parent === undefined) kept.push(resource);
    else byParent.set(parent, [...(byParent.get(parent) ?? []), resource]);
  }
  for (const [parent, children] of byParent) {
    if (children.length >= GENERALISE_AT && parentGranted(parent)) kept.push(parent);
    else kept.push(...children);
  }
  return [...new Set(kept)].sort();
}

/** `…/red/*` → `…/*`; undefined for a resource that is not a group of a collection. */
function parentOf(resource: string): string | undefined {
  if (!resource.endsWith('/*')) return undefined;
  const cut = resource.lastIndexOf('/', resource.length - 3);
  const colon = resource.lastIndexOf(':');
  if (cut < 0 || cut < colon) return undefined;
  return `${resource.slice(0, cut)}/*`;
}
