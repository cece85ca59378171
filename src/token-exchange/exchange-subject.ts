import { decodeJwt } from 'jose';
import {
  assumableRoles,
  decideAssumeRole,
  defaultSessionName,
  federatedTrustRequest,
  type FederatedIdentity,
  type TrustRequestFacts,
  type VerifiedWebIdentity,
} from '../federation/index.js';
import type { PolicyCatalog, RoleDefinition } from '../roles/index.js';
import {
  DEFAULT_SESSION_AUDIENCE,
  unstoredSession,
  type RoleSession,
  type RoleSessionInput,
} from '../sessions/index.js';
import { refusalOfToken } from './presented-token-errors.js';
import { OAuthError } from './oauth-error.js';
import type { PresentedToken } from './token-request.js';
import { TOKEN_TYPE } from './token-types.js';
import type {
  ExchangeSessionService,
  TokenExchangeSettings,
  WebIdentityTokenVerifier,
} from './token-exchange-ports.js';

/** Who the exchanged token will speak for, and what bounds it. */
export interface ExchangeSubject {
  /**
   * The session whose permissions decide the exchange: the verified subject session, or for a provider JWT the
   * role session the identity would get (not stored).
   */
  readonly session: RoleSession;
  readonly role: RoleDefinition;
  /** Epoch seconds the exchanged token must not outlive. */
  readonly notAfter: number;
  /** The subject's own scope; undefined when it has none (a role session is not scoped). */
  readonly scope?: readonly string[];
  /** The subject session's id when the subject is a fedgate credential (the exchanged token is revoked with it). */
  readonly parentSessionId?: string;
}

/** What resolving a subject token needs. */
export interface SubjectDependencies {
  readonly sessions: ExchangeSessionService;
  readonly webIdentity: WebIdentityTokenVerifier;
  readonly catalog: PolicyCatalog;
  readonly settings: TokenExchangeSettings;
  /** The authenticated client: a fedgate credential may be addressed to `fedgate` or to it. */
  readonly clientId: string;
  /** The `role` request parameter (name or ARN). */
  readonly roleChoice?: string | undefined;
  readonly sourceIp?: string | undefined;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** True when the token claims to be fedgate's own (its unverified `iss` is ours): it is verified as a session credential. */
export function isFedgateCredential(token: string, issuer: string): boolean {
  try {
    return decodeJwt(token).iss === issuer;
  } catch {
    return false;
  }
}

/** The audiences a presented fedgate credential may carry: the gateway's own, or the authenticated client's. */
export function acceptedCredentialAudiences(clientId: string): string[] {
  return [DEFAULT_SESSION_AUDIENCE, clientId];
}

/**
 * Resolves `subject_token`: an `access_token` is a fedgate session credential; a `jwt` is one too when fedgate
 * issued it, else a provider JWT, as is an `id_token`. A provider JWT goes through the trust step to pick the role
 * (the `role` parameter when given, else the one role that trusts it). `invalid_request` for a token that does not
 * verify (RFC 8693 §2.2.2), `invalid_grant` when no role (or not the chosen one) trusts it.
 */
export async function resolveSubject(
  presented: PresentedToken,
  deps: SubjectDependencies,
): Promise<ExchangeSubject> {
  const fedgate =
    presented.type === TOKEN_TYPE.accessToken ||
    (presented.type === TOKEN_TYPE.jwt && isFedgateCredential(presented.token, deps.settings.issuer));
  return fedgate ? sessionSubject(presented.token, deps) : webIdentitySubject(presented.token, deps);
}

async function sessionSubject(token: string, deps: SubjectDependencies): Promise<ExchangeSubject> {
  let session: RoleSession;
  try {
    session = await deps.sessions.verify(token, { audience: acceptedCredentialAudiences(deps.clientId) });
  } catch (error) {
    throw refusalOfToken('subject_token', error);
  }
  const role = deps.catalog.role(session.roleName);
  if (role === undefined || role.arn !== session.roleArn)
    throw new OAuthError('invalid_grant', 'The subject is not allowed this exchange.', {
      reason: 'RoleRemoved',
    });
  if (deps.roleChoice !== undefined && deps.roleChoice !== role.name && deps.roleChoice !== role.arn)
    throw new OAuthError(
      'invalid_request',
      'The role parameter must name the subject session role, if given.',
      {
        reason: 'RoleMismatch',
      },
    );
  return {
    session,
    role,
    notAfter: session.expiresAt,
    ...(session.scope === undefined ? {} : { scope: session.scope.split(' ').filter((s) => s !== '') }),
    parentSessionId: session.id,
  };
}

async function webIdentitySubject(token: string, deps: SubjectDependencies): Promise<ExchangeSubject> {
  let identity: VerifiedWebIdentity;
  try {
    identity = await deps.webIdentity.verify(token);
  } catch (error) {
    throw refusalOfToken('subject_token', error);
  }
  const sessionName = defaultSessionName(identity);
  const facts: TrustRequestFacts = {
    sessionName,
    ...(identity.sourceIdentity === undefined ? {} : { sourceIdentity: identity.sourceIdentity }),
    requestTags: identity.tags ?? {},
    transitiveTagKeys: identity.transitiveTagKeys ?? [],
    ...(deps.sourceIp === undefined ? {} : { sourceIp: deps.sourceIp }),
    now: deps.now,
  };
  const role = chooseRole(identity, facts, deps);
  const input = federatedSessionInput(identity, role, sessionName);
  return {
    session: unstoredSession(input, deps.settings, deps.now, 'prospective'),
    role,
    notAfter: identity.expiresAt,
    ...scopeClaimOf(identity),
  };
}

/** The role a provider JWT is exchanged into: the `role` parameter, or the only role whose trust policy allows it. */
function chooseRole(
  identity: FederatedIdentity,
  facts: TrustRequestFacts,
  deps: SubjectDependencies,
): RoleDefinition {
  const scope = { partition: deps.settings.partition, account: deps.settings.account };
  const notTrusted = (): OAuthError =>
    new OAuthError('invalid_grant', 'No role trusts the subject token for this exchange.', {
      reason: 'TrustPolicyDenied',
    });
  if (deps.roleChoice !== undefined) {
    const role = deps.catalog.role(deps.roleChoice) ?? deps.catalog.roleByArn(deps.roleChoice);
    if (role === undefined) throw notTrusted();
    const decision = decideAssumeRole(role, federatedTrustRequest(identity, facts, scope));
    if (!decision.allowed) throw notTrusted();
    return role;
  }
  const roles = assumableRoles(identity, deps.catalog.roles(), facts, scope);
  if (roles.length === 0) throw notTrusted();
  if (roles.length > 1)
    throw new OAuthError(
      'invalid_request',
      'Several roles trust the subject token: name one with the role parameter.',
      {
        reason: 'RoleRequired',
      },
    );
  return roles[0] as RoleDefinition;
}

/** The fields of the exchanged session that come from a federated identity. */
function federatedSessionInput(
  identity: FederatedIdentity,
  role: RoleDefinition,
  sessionName: string,
): Omit<RoleSessionInput, 'audience' | 'durationSeconds'> {
  return {
    roleName: role.name,
    sessionName,
    provider: identity.provider,
    subject: identity.subject,
    tags: { ...(identity.tags ?? {}) },
    transitiveTagKeys: [...(identity.transitiveTagKeys ?? [])],
    ...(identity.sourceIdentity === undefined ? {} : { sourceIdentity: identity.sourceIdentity }),
    mfa: identity.mfa,
    amr: [...identity.amr],
    authTime: identity.authTime,
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
  };
}

/** A provider JWT's own scope (`scope` string or `scp` array), when it has one. */
function scopeClaimOf(identity: FederatedIdentity): { scope?: readonly string[] } {
  const scope = identity.claims?.['scope'];
  if (typeof scope === 'string') return { scope: scope.split(' ').filter((s) => s !== '') };
  const scp = identity.claims?.['scp'];
  if (Array.isArray(scp) && scp.every((s) => typeof s === 'string')) return { scope: scp as string[] };
  return {};
}
