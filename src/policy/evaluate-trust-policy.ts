import {
  prepareRequest,
  sortByIndex,
  sortedKeys,
  toMatched,
  type AuthorizationRequest,
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
    return { decision: 'ExplicitDeny', matchedStatements: denies.map(toMatched), missingContextKeys };
  if (allows.length > 0)
    return { decision: 'Allow', matchedStatements: allows.map(toMatched), missingContextKeys };
  return { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys, blockedBy: 'trust' };
}
