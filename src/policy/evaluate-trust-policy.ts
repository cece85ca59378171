import {
  authorize,
  prepareRequest,
  sortByIndex,
  sortedKeys,
  toMatched,
  type AuthorizationRequest,
  type PolicySet,
} from './authorize.js';
import type { CompiledPolicy, CompiledStatement } from './compile-policy.js';
import type { Decision } from './policy-types.js';
import { PrincipalMatchKind } from './principal-matching.js';
import {
  collectMissingKeys,
  forEachCandidate,
  matchStatement,
  matchesAction,
  nextPass,
} from './statement-matching.js';

/**
 * The trust-policy step of assuming a role: a matching Deny wins; otherwise an Allow whose Principal names
 * the request's principal is required (trust policies must allow explicitly; nothing else can stand in).
 * `request.resource` is ignored: trust policies have no Resource.
 */
export function evaluateTrustPolicy(trustPolicy: CompiledPolicy, request: AuthorizationRequest): Decision {
  if (trustPolicy.kind !== 'trust')
    throw new TypeError(`evaluateTrustPolicy needs a trust policy, got ${trustPolicy.kind}`);
  const prepared = prepareRequest(request, false);
  let missing: Map<string, string> | undefined;
  const denies: CompiledStatement[] = [];
  const allows: CompiledStatement[] = [];
  forEachCandidate(trustPolicy, prepared, nextPass(), (s) => {
    if (!matchesAction(s, prepared.action)) return;
    missing = collectMissingKeys(s, prepared.context, missing);
    if (matchStatement(s, prepared) === PrincipalMatchKind.None) return;
    (s.effect === 'Deny' ? denies : allows).push(s);
  });
  sortByIndex(denies, 0);
  sortByIndex(allows, 0);
  const missingContextKeys = sortedKeys(missing);
  if (denies.length > 0)
    return {
      decision: 'ExplicitDeny',
      matchedStatements: denies.map(toMatched),
      missingContextKeys,
      blockedBy: 'trust',
    };
  if (allows.length > 0)
    return { decision: 'Allow', matchedStatements: allows.map(toMatched), missingContextKeys };
  return { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys, blockedBy: 'trust' };
}

/**
 * Whether a principal may assume a role, as the STS decides it: the role's trust policy must allow explicitly
 * (a Deny anywhere wins). With `callerPolicies` (role chaining: the calling session's own identity policies,
 * boundary, session policies and guardrails) the trust policy is also the role's resource-based policy in the
 * caller's decision, so in one account a trust policy naming the caller's session ARN (or everyone) needs no
 * Allow from the caller, one naming its role ARN needs the caller's boundary and session policies to allow, and
 * one naming the account needs the caller's identity Allow too. Across accounts both sides must allow.
 */
export function authorizeAssumeRole(
  trustPolicy: CompiledPolicy,
  request: AuthorizationRequest,
  callerPolicies?: PolicySet,
): Decision {
  const trust = evaluateTrustPolicy(trustPolicy, request);
  if (callerPolicies === undefined || trust.decision === 'ExplicitDeny') return trust;
  const caller = authorize(request, { ...callerPolicies, resourcePolicies: [trustPolicy] });
  if (caller.decision === 'ExplicitDeny' || trust.decision === 'Allow') return caller;
  return trust;
}
