import type { GatewayConfig } from '../config/index.js';
import {
  authorize,
  parsePolicy,
  principalFromArn,
  type CompiledPolicy,
  type PolicyKind,
} from '../policy/index.js';
import { rolePolicyDocuments } from '../roles/index.js';

/** One statement of a configured policy document, as written. */
export type RawStatement = Readonly<Record<string, unknown>>;

/** The statements of a policy document (`Statement` as an object or a list). */
export function statementsOf(document: unknown): RawStatement[] {
  if (typeof document !== 'object' || document === null) return [];
  const statement = (document as Record<string, unknown>)['Statement'];
  const list = Array.isArray(statement)
    ? (statement as unknown[])
    : statement === undefined
      ? []
      : [statement];
  return list.filter((s): s is RawStatement => typeof s === 'object' && s !== null && !Array.isArray(s));
}

/** A string-or-list element as a list. */
export function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The version of a document (variables only work in 2012-10-17). */
export function versionOf(document: unknown): string {
  const version =
    typeof document === 'object' && document !== null
      ? (document as Record<string, unknown>)['Version']
      : undefined;
  return typeof version === 'string' ? version : '2008-10-17';
}

/**
 * A document relaxed to "could this ever allow the action?": Allow statements lose their conditions and
 * apply to every resource; only unconditional Deny statements on every resource stay. The engine then
 * answers for the action alone.
 */
function relaxed(document: unknown, name: string, kind: PolicyKind): CompiledPolicy | undefined {
  const statements: Record<string, unknown>[] = [];
  for (const s of statementsOf(document)) {
    const { Condition, Resource, NotResource, ...rest } = s;
    if (s['Effect'] === 'Allow') statements.push({ ...rest, Resource: '*' });
    else if (Condition === undefined && NotResource === undefined && listOf(Resource).includes('*'))
      statements.push({ ...rest, Resource: '*' });
  }
  if (statements.length === 0)
    statements.push({ Effect: 'Deny', Action: '*', Resource: '*', Sid: 'Nothing' });
  try {
    return parsePolicy({ Version: '2012-10-17', Statement: statements }, { name, kind });
  } catch {
    return undefined;
  }
}

/**
 * The actions among `candidates` that the role's effective policies (identity policies within the
 * permissions boundary and the guardrails) grant under some condition on some resource, decided by the
 * policy engine on relaxed documents.
 */
export function grantedActions(config: GatewayConfig, role: string, candidates: Iterable<string>): string[] {
  const docs = rolePolicyDocuments(config, role);
  if (docs === undefined) return [];
  const compile = (
    list: readonly { name: string; document: unknown }[],
    kind: PolicyKind,
  ): CompiledPolicy[] => list.flatMap((p) => relaxed(p.document, p.name, kind) ?? []);
  const identityPolicies = compile(docs.identityPolicies, 'identity');
  const boundary =
    docs.permissionsBoundary === undefined
      ? undefined
      : relaxed(docs.permissionsBoundary.document, docs.permissionsBoundary.name, 'boundary');
  const guardrails = compile(docs.guardrails, 'guardrail');
  const principal = principalFromArn(docs.principal);
  const resource = `arn:${config.partition}:any:::any`;
  const granted: string[] = [];
  for (const action of new Set(candidates)) {
    const decision = authorize(
      { principal, action, resource, context: {} },
      { identityPolicies, permissionsBoundary: boundary, guardrails },
    );
    if (decision.decision === 'Allow') granted.push(action);
  }
  return granted.sort();
}

/**
 * The actions fedgate knows of: every route's action, `sts:ExchangeToken` and `sts:AssumeRole`, every
 * action named without a wildcard in any policy, and every action seen in the activity.
 */
export function knownActions(config: GatewayConfig, observed: Iterable<string> = []): string[] {
  const actions = new Set<string>(['sts:ExchangeToken', 'sts:AssumeRole']);
  for (const route of config.routes) actions.add(route.action);
  const documents: unknown[] = [
    ...Object.values(config.policies),
    ...config.guardrails,
    ...config.roles.flatMap((role) => Object.values(role.inlinePolicies)),
    ...config.resources.flatMap((resource) => (resource.policy === undefined ? [] : [resource.policy])),
  ];
  for (const document of documents)
    for (const s of statementsOf(document))
      for (const action of listOf(s['Action']))
        if (!/[*?]/.test(action) && action.includes(':')) actions.add(action);
  for (const action of observed) actions.add(action);
  // Actions are case-insensitive: keep the first spelling of each.
  const byLower = new Map<string, string>();
  for (const action of actions)
    if (!byLower.has(action.toLowerCase())) byLower.set(action.toLowerCase(), action);
  return [...byLower.values()].sort();
}
