import type { VerifiedWebIdentity } from '../federation/index.js';
import type { RoleSession } from '../sessions/index.js';
import { acceptedCredentialAudiences, isFedgateCredential } from './exchange-subject.js';
import { refusalOfToken } from './presented-token-errors.js';
import { OAuthError } from './oauth-error.js';
import type { PresentedToken } from './token-request.js';
import { TOKEN_TYPE } from './token-types.js';
import type { ExchangeSessionService, WebIdentityTokenVerifier } from './token-exchange-ports.js';

/** The party acting on the subject's behalf (RFC 8693 delegation). */
export interface ExchangeActor {
  /** Identity claims of the actor: `sub` and `iss`, as RFC 8693 §4.1 puts them in `act`. */
  readonly sub: string;
  readonly iss: string;
  /** Epoch seconds: a delegated token does not outlive its actor's credential either. */
  readonly notAfter: number;
  /** The actor's fedgate session, when the actor token is one: the delegated token is revoked with it. */
  readonly session?: RoleSession;
}

/** What resolving an actor token needs. */
export interface ActorDependencies {
  readonly sessions: ExchangeSessionService;
  readonly webIdentity: WebIdentityTokenVerifier;
  /** `publicUrl`. */
  readonly issuer: string;
  readonly clientId: string;
}

/** RFC 8693 §4.1 chains: a deeper `act` nesting than this is refused rather than carried on. */
export const MAX_ACTOR_CHAIN_DEPTH = 8;

/**
 * Verifies `actor_token`: a fedgate session credential (its assumed-role ARN acts) or a JWT from a configured
 * provider (its federated subject acts). `invalid_request` when it does not verify.
 */
export async function resolveActor(
  presented: PresentedToken,
  deps: ActorDependencies,
): Promise<ExchangeActor> {
  const fedgate =
    presented.type === TOKEN_TYPE.accessToken ||
    (presented.type === TOKEN_TYPE.jwt && isFedgateCredential(presented.token, deps.issuer));
  if (fedgate) {
    let session: RoleSession;
    try {
      session = await deps.sessions.verify(presented.token, {
        audience: acceptedCredentialAudiences(deps.clientId),
      });
    } catch (error) {
      throw refusalOfToken('actor_token', error);
    }
    return { sub: session.principalArn, iss: deps.issuer, notAfter: session.expiresAt, session };
  }
  let identity: VerifiedWebIdentity;
  try {
    identity = await deps.webIdentity.verify(presented.token);
  } catch (error) {
    throw refusalOfToken('actor_token', error);
  }
  return { sub: identity.subject, iss: identity.issuer, notAfter: identity.expiresAt };
}

/**
 * The `act` claim of the exchanged token (RFC 8693 §4.1): the current actor outermost, the subject's earlier
 * actors nested inside it; without a new actor the subject's own chain is kept. `invalid_request` past
 * MAX_ACTOR_CHAIN_DEPTH.
 */
export function actClaimFor(
  actor: ExchangeActor | undefined,
  previous: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (actor === undefined) return previous;
  const act = { sub: actor.sub, iss: actor.iss, ...(previous === undefined ? {} : { act: previous }) };
  if (depthOf(act) > MAX_ACTOR_CHAIN_DEPTH)
    throw new OAuthError('invalid_request', 'The delegation chain is too long.', {
      reason: 'ActorChainTooLong',
    });
  return act;
}

function depthOf(act: Readonly<Record<string, unknown>>): number {
  let depth = 0;
  let current: unknown = act;
  while (typeof current === 'object' && current !== null && depth <= MAX_ACTOR_CHAIN_DEPTH) {
    depth += 1;
    current = (current as Record<string, unknown>)['act'];
  }
  return depth;
}
