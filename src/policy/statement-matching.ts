import { PatternMatch, matchResourcePattern, type PreparedResource } from './arn-matching.js';
import type { CompiledPolicy, CompiledStatement } from './compile-policy.js';
import { evaluateCondition } from './condition-operators.js';
import type { EvaluationContext } from './evaluation-context.js';
import { matchStaticGlob } from './glob-pattern.js';
import type { PrincipalIdentity } from './policy-types.js';
import { PrincipalMatchKind, matchPrincipal } from './principal-matching.js';

/** A request prepared once for matching against many statements. */
export interface PreparedRequest {
  readonly principal: PrincipalIdentity | undefined;
  /** Lower-cased action, and its service and name parts. */
  readonly action: string;
  readonly service: string;
  readonly name: string;
  /** Undefined for trust policies, which have no Resource. */
  readonly resource: PreparedResource | undefined;
  readonly context: EvaluationContext;
  /** The principal has a permissions boundary: a `NotPrincipal` Deny then applies whatever it lists. */
  readonly hasBoundary?: boolean;
}

let pass = 0;

/** Starts a new evaluation pass; statements visited in earlier passes become visitable again. */
export function nextPass(): number {
  pass = pass >= 0x3fffffff ? 1 : pass + 1;
  return pass;
}

/**
 * Calls `visit` for each statement of `policy` whose Action index entry can match the request's action,
 * each at most once per pass (a statement listed under several index entries is visited once).
 */
export function forEachCandidate(
  policy: CompiledPolicy,
  request: PreparedRequest,
  passId: number,
  visit: (statement: CompiledStatement) => void,
): void {
  const index = policy.index;
  visitList(index.anyService, passId, visit);
  const bucket = index.byService.get(request.service);
  if (bucket === undefined) return;
  const exact = bucket.exact.get(request.name);
  if (exact !== undefined) visitList(exact, passId, visit);
  visitList(bucket.patterns, passId, visit);
}

function visitList(
  list: readonly CompiledStatement[],
  passId: number,
  visit: (s: CompiledStatement) => void,
): void {
  for (let i = 0; i < list.length; i++) {
    const s = list[i] as CompiledStatement;
    if (s.visited === passId) continue;
    s.visited = passId;
    visit(s);
  }
}

/** True when the statement's Action/NotAction matches the (lower-cased) action. */
export function matchesAction(statement: CompiledStatement, action: string): boolean {
  let any = false;
  for (const a of statement.actions) {
    if (matchStaticGlob(a, action)) {
      any = true;
      break;
    }
  }
  return statement.notAction ? !any : any;
}

/**
 * How the statement applies to the request: None when it does not; otherwise the principal match kind
 * (Direct for statements without a Principal element, which apply to whoever holds the policy).
 */
export function matchStatement(statement: CompiledStatement, request: PreparedRequest): PrincipalMatchKind {
  let kind: PrincipalMatchKind = PrincipalMatchKind.Direct;
  const principal = statement.principal;
  if (principal !== undefined) {
    const k = matchPrincipal(principal, request.principal);
    if (statement.notPrincipal) {
      // IAM: a NotPrincipal Deny "will always deny any IAM principal that has a permissions boundary policy
      // attached, regardless of the values specified in the NotPrincipal element" (permissions boundaries page).
      const boundaryOverride = statement.effect === 'Deny' && request.hasBoundary === true;
      if (k !== PrincipalMatchKind.None && !boundaryOverride) return PrincipalMatchKind.None;
      kind = PrincipalMatchKind.Excluding;
    } else {
      if (k === PrincipalMatchKind.None) return PrincipalMatchKind.None;
      kind = k;
    }
  }
  const resources = statement.resources;
  if (resources !== undefined && request.resource !== undefined) {
    if (!matchesResource(statement, resources, request)) return PrincipalMatchKind.None;
  }
  const conditions = statement.conditions;
  for (let i = 0; i < conditions.length; i++) {
    if (!evaluateCondition(conditions[i]!, request.context)) return PrincipalMatchKind.None;
  }
  return kind;
}

function matchesResource(
  statement: CompiledStatement,
  resources: NonNullable<CompiledStatement['resources']>,
  request: PreparedRequest,
): boolean {
  const resource = request.resource as PreparedResource;
  if (!statement.notResource) {
    for (let i = 0; i < resources.length; i++) {
      // An entry whose variable has no value matches nothing; the others may still match.
      if (matchResourcePattern(resources[i]!, resource, request.context) === PatternMatch.Yes) return true;
    }
    return false;
  }
  for (let i = 0; i < resources.length; i++) {
    // An entry whose variable has no value matches no resource, so it excludes nothing (IAM-SEMANTICS 1.5):
    // a `Deny … NotResource` guardrail then denies every resource to a principal without the value.
    if (matchResourcePattern(resources[i]!, resource, request.context) === PatternMatch.Yes) return false;
  }
  return true;
}

/** Adds to `missing` (created on first need) the statement's referenced context keys the context lacks. */
export function collectMissingKeys(
  statement: CompiledStatement,
  context: EvaluationContext,
  missing: Map<string, string> | undefined,
): Map<string, string> | undefined {
  const lowers = statement.referencedKeysLower;
  let out = missing;
  for (let i = 0; i < lowers.length; i++) {
    const lower = lowers[i]!;
    if (context.has(lower)) continue;
    out ??= new Map();
    if (!out.has(lower)) out.set(lower, statement.referencedKeys[i]!);
  }
  return out;
}
