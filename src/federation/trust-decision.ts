import { evaluateTrustPolicy, type Decision, type PrincipalIdentity } from '../policy/index.js';
import type { RoleDefinition } from '../roles/index.js';
import type { FederatedIdentity } from './federated-identity.js';
import { trustContextFor, type TrustContext, type TrustRequestFacts } from './trust-context.js';
import { federatedPrincipal, type ArnScope } from './trust-principal.js';

/** The STS action a trust policy is asked about. */
export type AssumeRoleAction = 'sts:AssumeRoleWithSAML' | 'sts:AssumeRoleWithWebIdentity' | 'sts:AssumeRole';

/**
 * Why a role may not be assumed; stable codes for audit events and the portal, never shown as policy text.
 * - `RoleNotInIdpRoleList`: the IdP's AWS `Role` attribute restricts the choice and does not name the role;
 * - `TrustPolicyDenied`: the trust policy does not allow the principal the assume action (or denies it);
 * - `TagSessionDenied`: tags are passed and the trust policy does not allow `sts:TagSession`;
 * - `SetSourceIdentityDenied`: a source identity is set and the trust policy does not allow `sts:SetSourceIdentity`.
 */
export type TrustRefusalReason =
  'RoleNotInIdpRoleList' | 'TrustPolicyDenied' | 'TagSessionDenied' | 'SetSourceIdentityDenied';

/** The trust step's answer for one role. */
export type TrustDecision =
  | { readonly allowed: true; readonly decision: Decision }
  | { readonly allowed: false; readonly reason: TrustRefusalReason; readonly decision?: Decision };

/** Everything the trust step looks at for one assume-role request. */
export interface TrustRequest {
  readonly principal: PrincipalIdentity;
  readonly action: AssumeRoleAction;
  readonly context: TrustContext;
  /** True when the new session carries session tags (they need `sts:TagSession`). */
  readonly passesTags: boolean;
  /** True when the new session carries a source identity (it needs `sts:SetSourceIdentity`). */
  readonly setsSourceIdentity: boolean;
  /** The AWS SAML `Role` attribute's role ARNs: when present, only these roles may be chosen. */
  readonly allowedRoleArns?: readonly string[] | undefined;
}

/**
 * Decides whether the principal may assume `role`, AWS style: the trust policy must allow the assume action and,
 * when tags are passed or a source identity is set, also `sts:TagSession` / `sts:SetSourceIdentity`, all on the
 * role's ARN with the same context. A trust policy must name the principal itself: there is no implicit allow.
 */
export function decideAssumeRole(role: RoleDefinition, request: TrustRequest): TrustDecision {
  if (request.allowedRoleArns !== undefined && !request.allowedRoleArns.includes(role.arn)) {
    return { allowed: false, reason: 'RoleNotInIdpRoleList' };
  }
  const ask = (action: string): Decision =>
    evaluateTrustPolicy(role.trustPolicy, {
      principal: request.principal,
      action,
      resource: role.arn,
      context: request.context,
    });
  const assume = ask(request.action);
  if (assume.decision !== 'Allow') return { allowed: false, reason: 'TrustPolicyDenied', decision: assume };
  if (request.passesTags) {
    const tagging = ask('sts:TagSession');
    if (tagging.decision !== 'Allow')
      return { allowed: false, reason: 'TagSessionDenied', decision: tagging };
  }
  if (request.setsSourceIdentity) {
    const sourceIdentity = ask('sts:SetSourceIdentity');
    if (sourceIdentity.decision !== 'Allow') {
      return { allowed: false, reason: 'SetSourceIdentityDenied', decision: sourceIdentity };
    }
  }
  return { allowed: true, decision: assume };
}

/** The assume action for a federated identity: SAML or web identity (OIDC). */
export function federatedAction(identity: Pick<FederatedIdentity, 'providerType'>): AssumeRoleAction {
  return identity.providerType === 'saml' ? 'sts:AssumeRoleWithSAML' : 'sts:AssumeRoleWithWebIdentity';
}

/** The trust request of a federated identity asking for a session described by `facts`. */
export function federatedTrustRequest(
  identity: FederatedIdentity,
  facts: TrustRequestFacts,
  scope: ArnScope,
): TrustRequest {
  return {
    principal: federatedPrincipal(identity, scope),
    action: federatedAction(identity),
    context: trustContextFor(identity, facts, scope),
    passesTags: Object.keys(facts.requestTags).length > 0,
    setsSourceIdentity: facts.sourceIdentity !== undefined,
    allowedRoleArns:
      identity.allowedRoleArns !== undefined && identity.allowedRoleArns.length > 0
        ? identity.allowedRoleArns
        : undefined,
  };
}

/**
 * The roles a federated identity may assume (SPEC 5.2), in catalog order: those whose trust policy allows it with
 * the identity's own tags, session name and source identity, and that the IdP's `Role` attribute (if any) names.
 * `roles` is the catalog (or any list of roles).
 */
export function assumableRoles(
  identity: FederatedIdentity,
  roles: readonly RoleDefinition[] | { roles(): readonly RoleDefinition[] },
  facts: TrustRequestFacts,
  scope: ArnScope,
): RoleDefinition[] {
  const request = federatedTrustRequest(identity, facts, scope);
  const candidates =
    'roles' in roles && typeof roles.roles === 'function'
      ? roles.roles()
      : (roles as readonly RoleDefinition[]);
  return candidates.filter((role) => decideAssumeRole(role, request).allowed);
}
