import { prepareResource } from './arn-matching.js';
import type { CompiledPolicy, CompiledStatement } from './compile-policy.js';
import { prepareContext, type EvaluationContext } from './evaluation-context.js';
import type { BlockingLayer, ContextInput, Decision, MatchedStatement, PrincipalIdentity } from './policy-types.js';
import { PrincipalMatchKind, accountOfArn } from './principal-matching.js';
import {
  collectMissingKeys,
  forEachCandidate,
  matchStatement,
  matchesAction,
  nextPass,
  type PreparedRequest,
} from './statement-matching.js';

/** A request to decide: who, what action, on which resource, in which context. */
export interface AuthorizationRequest {
  readonly principal?: PrincipalIdentity | undefined;
  readonly action: string;
  readonly resource: string;
  /** Raw context (keys case-insensitive), or one prepared with `prepareContext` to reuse across decisions. */
  readonly context: ContextInput | EvaluationContext;
}

/**
 * The policies in force for one request. `sessionPolicies` and `guardrails` that are undefined or empty
 * mean "none" (no restriction from that layer), so callers can always pass arrays.
 */
export interface PolicySet {
  readonly identityPolicies: readonly CompiledPolicy[];
  readonly permissionsBoundary?: CompiledPolicy | undefined;
  readonly sessionPolicies?: readonly CompiledPolicy[] | undefined;
  readonly guardrails?: readonly CompiledPolicy[] | undefined;
  readonly resourcePolicies?: readonly CompiledPolicy[] | undefined;
}

const Layer = { Guardrail: 0, Boundary: 1, Session: 2, Identity: 3, Resource: 4 } as const;
type Layer = (typeof Layer)[keyof typeof Layer];

/** Prepares the parts of a request every statement match needs: lower-cased action, split resource, context. */
export function prepareRequest(request: AuthorizationRequest, withResource = true): PreparedRequest {
  if (typeof request.action !== 'string') throw new TypeError('request.action must be a string');
  const action = request.action.toLowerCase();
  const colon = action.indexOf(':');
  return {
    principal: request.principal,
    action,
    service: colon < 0 ? action : action.slice(0, colon),
    name: colon < 0 ? '' : action.slice(colon + 1),
    resource: withResource ? prepareResource(request.resource) : undefined,
    context: prepareContext(request.context),
  };
}

/**
 * Decides a request (SPEC 7.4): an explicit Deny anywhere wins; otherwise Allow needs a guardrail Allow
 * (when guardrails exist), and either a same-account resource policy naming the principal's own session ARN,
 * or boundary + session policies (when present) together with an identity policy or a resource policy
 * naming the role, the account or everyone. Cross-account, identity and resource policy must both allow.
 */
export function authorize(request: AuthorizationRequest, policies: PolicySet): Decision {
  const prepared = prepareRequest(request);
  const missing = new Map<string, string>();
  const denies: CompiledStatement[] = [];
  const allows: CompiledStatement[][] = [[], [], [], [], []];
  let directResourceAllow = false;
  let layer: Layer = Layer.Identity;
  let segmentStart = 0;

  const visit = (s: CompiledStatement): void => {
    if (!matchesAction(s, prepared.action)) return;
    collectMissingKeys(s, prepared.context, missing);
    const kind = matchStatement(s, prepared);
    if (kind === PrincipalMatchKind.None) return;
    if (s.effect === 'Deny') {
      denies.push(s);
      return;
    }
    (allows[layer] as CompiledStatement[]).push(s);
    if (layer === Layer.Resource && kind === PrincipalMatchKind.Direct) directResourceAllow = true;
  };
  const run = (policy: CompiledPolicy, l: Layer): void => {
    layer = l;
    const list = allows[l] as CompiledStatement[];
    const allowStart = list.length;
    segmentStart = denies.length;
    forEachCandidate(policy, prepared, nextPass(), visit);
    sortByIndex(denies, segmentStart);
    sortByIndex(list, allowStart);
  };

  const guardrails = policies.guardrails ?? [];
  const sessions = policies.sessionPolicies ?? [];
  const resources = policies.resourcePolicies ?? [];
  for (const p of guardrails) run(p, Layer.Guardrail);
  if (policies.permissionsBoundary !== undefined) run(policies.permissionsBoundary, Layer.Boundary);
  for (const p of sessions) run(p, Layer.Session);
  for (const p of policies.identityPolicies) run(p, Layer.Identity);
  for (const p of resources) run(p, Layer.Resource);

  const missingContextKeys = sortedKeys(missing);
  if (denies.length > 0) return { decision: 'ExplicitDeny', matchedStatements: denies.map(toMatched), missingContextKeys };

  const [guardrailAllows, boundaryAllows, sessionAllows, identityAllows, resourceAllows] = allows as [
    CompiledStatement[],
    CompiledStatement[],
    CompiledStatement[],
    CompiledStatement[],
    CompiledStatement[],
  ];
  const implicit = (blockedBy: BlockingLayer): Decision => ({
    decision: 'ImplicitDeny',
    matchedStatements: [],
    missingContextKeys,
    blockedBy,
  });
  if (guardrails.length > 0 && guardrailAllows.length === 0) return implicit('guardrail');

  const boundaryOk = policies.permissionsBoundary === undefined || boundaryAllows.length > 0;
  const sessionOk = sessions.length === 0 || sessionAllows.length > 0;
  const allowed = (statements: readonly CompiledStatement[][]): Decision => ({
    decision: 'Allow',
    matchedStatements: statements.flat().map(toMatched),
    missingContextKeys,
  });

  if (isCrossAccount(request)) {
    if (!boundaryOk) return implicit('boundary');
    if (!sessionOk) return implicit('session');
    if (identityAllows.length === 0) return implicit('identity');
    if (resourceAllows.length === 0) return implicit('resource');
    return allowed([guardrailAllows, boundaryAllows, sessionAllows, identityAllows, resourceAllows]);
  }
  if (directResourceAllow) {
    // IAM: a same-account resource policy naming the session itself is not limited by implicit denies elsewhere.
    return allowed([guardrailAllows, boundaryAllows, sessionAllows, identityAllows, resourceAllows]);
  }
  if (!boundaryOk) return implicit('boundary');
  if (!sessionOk) return implicit('session');
  if (identityAllows.length === 0 && resourceAllows.length === 0) return implicit('identity');
  return allowed([guardrailAllows, boundaryAllows, sessionAllows, identityAllows, resourceAllows]);
}

function isCrossAccount(request: AuthorizationRequest): boolean {
  const principal = request.principal;
  if (principal === undefined || principal.type !== 'AWS') return false;
  const principalAccount = principal.account ?? accountOfArn(principal.id);
  const resourceAccount = accountOfArn(request.resource);
  return principalAccount !== undefined && resourceAccount !== undefined && principalAccount !== resourceAccount;
}

/** The MatchedStatement of a compiled statement. */
export function toMatched(statement: CompiledStatement): MatchedStatement {
  return statement.matched;
}

/** Insertion sort of `list[start…]` by statement index: index hits arrive out of document order. */
export function sortByIndex(list: CompiledStatement[], start: number): void {
  for (let i = start + 1; i < list.length; i++) {
    const item = list[i] as CompiledStatement;
    let j = i - 1;
    while (j >= start && (list[j] as CompiledStatement).index > item.index) {
      list[j + 1] = list[j] as CompiledStatement;
      j--;
    }
    list[j + 1] = item;
  }
}

/** Missing keys in a stable order, independent of statement and policy order. */
export function sortedKeys(missing: ReadonlyMap<string, string>): string[] {
  if (missing.size === 0) return [];
  return [...missing.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}
