import { prepareResource } from './arn-matching.js';
import type { CompiledPolicy, CompiledStatement } from './compile-policy.js';
import { prepareContext, type EvaluationContext } from './evaluation-context.js';
import type {
  BlockingLayer,
  ContextInput,
  Decision,
  MatchedStatement,
  PrincipalIdentity,
} from './policy-types.js';
import { PrincipalMatchKind, accountOfArn } from './principal-matching.js';
import {
  collectMissingKeys,
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
const LAYER_NAMES: readonly BlockingLayer[] = ['guardrail', 'boundary', 'session', 'identity', 'resource'];

/** Prepares the parts of a request every statement match needs: lower-cased action, split resource, context. */
export function prepareRequest(
  request: AuthorizationRequest,
  withResource = true,
  hasBoundary = false,
): PreparedRequest {
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
    hasBoundary,
  };
}

/**
 * Decides a request (SPEC 7.4): an explicit Deny anywhere wins; otherwise Allow needs a guardrail Allow
 * (when guardrails exist), and either a same-account resource policy naming the principal's own session ARN
 * or everyone (`"*"`), or boundary + session policies (when present) together with an identity policy or a
 * resource policy naming the role. A resource policy naming the account only delegates: an identity policy
 * must still allow. Cross-account, identity and resource policy must both allow.
 */
export function authorize(request: AuthorizationRequest, policies: PolicySet): Decision {
  const c = new DecisionCollector(prepareRequest(request, true, policies.permissionsBoundary !== undefined));
  const guardrails = policies.guardrails ?? NONE;
  const sessions = policies.sessionPolicies ?? NONE;
  const resources = policies.resourcePolicies ?? NONE;
  for (let i = 0; i < guardrails.length; i++) c.run(guardrails[i] as CompiledPolicy, Layer.Guardrail);
  if (policies.permissionsBoundary !== undefined) c.run(policies.permissionsBoundary, Layer.Boundary);
  for (let i = 0; i < sessions.length; i++) c.run(sessions[i] as CompiledPolicy, Layer.Session);
  const identity = policies.identityPolicies;
  for (let i = 0; i < identity.length; i++) c.run(identity[i] as CompiledPolicy, Layer.Identity);
  for (let i = 0; i < resources.length; i++) c.run(resources[i] as CompiledPolicy, Layer.Resource);

  const missingContextKeys = c.missing === undefined ? NO_KEYS : sortedKeys(c.missing);
  if (c.denies.length > 0) {
    return {
      decision: 'ExplicitDeny',
      matchedStatements: c.denies.map(toMatched),
      missingContextKeys,
      blockedBy: LAYER_NAMES[c.denyLayer ?? Layer.Identity] ?? 'identity',
    };
  }
  const [guardrailAllows, boundaryAllows, sessionAllows, identityAllows, resourceAllows] = c.allows;
  if (guardrails.length > 0 && guardrailAllows.length === 0)
    return implicitDeny('guardrail', missingContextKeys);

  const boundaryOk = policies.permissionsBoundary === undefined || boundaryAllows.length > 0;
  const sessionOk = sessions.length === 0 || sessionAllows.length > 0;
  if (isCrossAccount(request)) {
    if (!boundaryOk) return implicitDeny('boundary', missingContextKeys);
    if (!sessionOk) return implicitDeny('session', missingContextKeys);
    if (identityAllows.length === 0) return implicitDeny('identity', missingContextKeys);
    if (resourceAllows.length === 0) return implicitDeny('resource', missingContextKeys);
    return allowDecision(c.allows, missingContextKeys);
  }
  // IAM: a same-account resource policy naming the session itself, or everyone ("*"), is not limited by
  // implicit denies elsewhere (explicit denies were handled above).
  if (c.directResourceAllow) return allowDecision(c.allows, missingContextKeys);
  if (!boundaryOk) return implicitDeny('boundary', missingContextKeys);
  if (!sessionOk) return implicitDeny('session', missingContextKeys);
  // An account principal delegates to the account: only an identity-policy Allow can then grant.
  if (identityAllows.length === 0 && !c.resourceGrant) return implicitDeny('identity', missingContextKeys);
  return allowDecision(c.allows, missingContextKeys);
}

const NONE: readonly CompiledPolicy[] = [];
const NO_KEYS: readonly string[] = Object.freeze([]);
const NO_STATEMENTS: readonly MatchedStatement[] = Object.freeze([]);

type LayerLists = [
  CompiledStatement[],
  CompiledStatement[],
  CompiledStatement[],
  CompiledStatement[],
  CompiledStatement[],
];

/** What one decision gathers while visiting candidate statements (a class: no closures per decision). */
class DecisionCollector {
  missing: Map<string, string> | undefined = undefined;
  readonly denies: CompiledStatement[] = [];
  /** The layer of the first denying statement (layers run outermost first: guardrail, boundary, …). */
  denyLayer: Layer | undefined = undefined;
  readonly allows: LayerLists = [[], [], [], [], []];
  directResourceAllow = false;
  /** A same-account resource Allow that grants (capped by boundary and session): any kind but Account. */
  resourceGrant = false;

  constructor(readonly request: PreparedRequest) {}

  run(policy: CompiledPolicy, layer: Layer): void {
    const pass = nextPass();
    const allows = this.allows[layer];
    const denyStart = this.denies.length;
    const allowStart = allows.length;
    const index = policy.index;
    this.visitList(index.anyService, pass, layer);
    const bucket = index.byService.get(this.request.service);
    if (bucket !== undefined) {
      const exact = bucket.exact.get(this.request.name);
      if (exact !== undefined) this.visitList(exact, pass, layer);
      this.visitList(bucket.patterns, pass, layer);
    }
    if (this.denies.length - denyStart > 1) sortByIndex(this.denies, denyStart);
    if (allows.length - allowStart > 1) sortByIndex(allows, allowStart);
  }

  private visitList(list: readonly CompiledStatement[], pass: number, layer: Layer): void {
    const request = this.request;
    for (let i = 0; i < list.length; i++) {
      const s = list[i] as CompiledStatement;
      if (s.visited === pass) continue;
      s.visited = pass;
      if (!matchesAction(s, request.action)) continue;
      if (s.referencedKeysLower.length > 0)
        this.missing = collectMissingKeys(s, request.context, this.missing);
      const kind = matchStatement(s, request);
      if (kind === PrincipalMatchKind.None) continue;
      if (s.effect === 'Deny') {
        this.denies.push(s);
        this.denyLayer ??= layer;
      } else {
        this.allows[layer].push(s);
        if (layer === Layer.Resource) {
          if (kind === PrincipalMatchKind.Direct || kind === PrincipalMatchKind.Everyone)
            this.directResourceAllow = true;
          if (kind !== PrincipalMatchKind.Account) this.resourceGrant = true;
        }
      }
    }
  }
}

function implicitDeny(blockedBy: BlockingLayer, missingContextKeys: readonly string[]): Decision {
  return { decision: 'ImplicitDeny', matchedStatements: NO_STATEMENTS, missingContextKeys, blockedBy };
}

function allowDecision(allows: LayerLists, missingContextKeys: readonly string[]): Decision {
  const matchedStatements: MatchedStatement[] = [];
  for (const list of allows) for (const s of list) matchedStatements.push(s.matched);
  return { decision: 'Allow', matchedStatements, missingContextKeys };
}

function isCrossAccount(request: AuthorizationRequest): boolean {
  const principal = request.principal;
  if (principal === undefined || principal.type !== 'AWS') return false;
  const principalAccount = principal.account ?? accountOfArn(principal.id);
  const resourceAccount = accountOfArn(request.resource);
  return (
    principalAccount !== undefined && resourceAccount !== undefined && principalAccount !== resourceAccount
  );
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
export function sortedKeys(missing: ReadonlyMap<string, string> | undefined): string[] {
  if (missing === undefined) return [];
  if (missing.size === 0) return [];
  return [...missing.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
}
