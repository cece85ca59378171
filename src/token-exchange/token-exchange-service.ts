import type { AuditEventOf } from '../audit/index.js';
import { isFedgateError } from '../errors/index.js';
import { authorizeSession } from '../roles/index.js';
import {
  MAX_CHAINED_SESSION_DURATION_SECONDS,
  MAX_SESSION_DURATION_SECONDS,
  type IssuedCredential,
  type RoleSessionInput,
} from '../sessions/index.js';
import { clientCredentialsOf } from './client-credentials.js';
import { actClaimFor, resolveActor, type ExchangeActor } from './exchange-actor.js';
import { narrowScope } from './exchange-scope.js';
import { resolveSubject, type ExchangeSubject } from './exchange-subject.js';
import { audienceArn, checkResourceSyntax, chooseAudience, issuedTokenType } from './exchange-target.js';
import { isOAuthError, OAuthError } from './oauth-error.js';
import {
  checkGrantType,
  readExchangeParameters,
  repeatableParameter,
  type TokenEndpointInput,
} from './token-request.js';
import type {
  TokenExchangeResponse,
  TokenExchangeServiceOptions,
  TokenRequestContext,
} from './token-exchange-ports.js';

/** The action the subject's role must be allowed on `arn:<p>:sts::<acct>:audience/<audience>` (SPEC 4.4). */
export const EXCHANGE_ACTION = 'sts:ExchangeToken';

/**
 * Issued tokens end this much before the subject: the session service reads its own clock when it issues, and
 * a second boundary crossed in between must not let the exchanged token outlive its subject.
 */
const LIFETIME_MARGIN_SECONDS = 1;

/** What the audit event of one request knows so far. */
interface AuditTrail {
  clientId?: string;
  audience?: string;
  subject?: ExchangeSubject;
  actor?: ExchangeActor;
}

/** What a token endpoint event says beyond the trail: whether it was issued, or why not. */
type TokenEventStart =
  | Pick<AuditEventOf<'token.exchanged'>, 'event' | 'outcome' | 'session' | 'details'>
  | (Pick<AuditEventOf<'token.refused'>, 'event' | 'outcome' | 'reason'> & {
      readonly details?: { readonly error: string };
    });

/**
 * RFC 8693 token exchange (SPEC 4.4), one small check after the other: grant type, client authentication,
 * parameters, target audience, requested token type, subject token, actor token, scope, the `sts:ExchangeToken`
 * decision of the subject's role (the same `authorizeSession` every other decision uses), then issuance of a
 * fedgate session credential for the audience that never outlives the subject (nor the actor) and is revoked
 * with either.
 * Refusals are OAuthErrors; every outcome is audited (`token.exchanged` / `token.refused`).
 */
export class TokenExchangeService {
  readonly #options: TokenExchangeServiceOptions;
  readonly #now: () => number;

  constructor(options: TokenExchangeServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Handles one token endpoint request; resolves to the RFC 8693 response or rejects with an OAuthError. */
  async exchange(
    input: TokenEndpointInput,
    context: TokenRequestContext = {},
  ): Promise<TokenExchangeResponse> {
    const trail: AuditTrail = {};
    try {
      const response = await this.#exchange(input, context, trail);
      return response;
    } catch (error) {
      this.#audit(trail, context, {
        event: 'token.refused',
        outcome: isOAuthError(error) && error.error === 'invalid_client' ? 'failure' : 'denied',
        reason: isOAuthError(error) ? error.reason : 'InternalError',
        ...(isOAuthError(error) ? { details: { error: error.error } } : {}),
      });
      throw error;
    }
  }

  async #exchange(
    input: TokenEndpointInput,
    context: TokenRequestContext,
    trail: AuditTrail,
  ): Promise<TokenExchangeResponse> {
    const now = context.now ?? this.#now();
    const { body } = input;
    checkGrantType(body);
    const client = await this.#options.clients().authenticate(clientCredentialsOf(body, input.authorization));
    trail.clientId = client.id;

    const params = readExchangeParameters(body);
    checkResourceSyntax(repeatableParameter(body, 'resource'));
    const audience = chooseAudience(params.targets, client);
    trail.audience = audience;
    const tokenType = issuedTokenType(params.requestedTokenType);

    const settings = this.#options.settings();
    const catalog = this.#options.catalog();
    const webIdentity = this.#options.webIdentity();
    const subject = await resolveSubject(params.subject, {
      sessions: this.#options.sessions,
      webIdentity,
      catalog,
      settings,
      clientId: client.id,
      roleChoice: params.role,
      sourceIp: context.sourceIp,
      now,
    });
    trail.subject = subject;
    const actor =
      params.actor === undefined
        ? undefined
        : await resolveActor(params.actor, {
            sessions: this.#options.sessions,
            webIdentity,
            issuer: settings.issuer,
            clientId: client.id,
          });
    if (actor !== undefined) trail.actor = actor;
    const act = actClaimFor(actor, subject.session.actor);
    const scope = narrowScope(params.scope, client.scopes, subject.scope);

    const decision = authorizeSession(catalog, subject.session, {
      action: EXCHANGE_ACTION,
      resource: audienceArn(settings.partition, settings.account, audience),
      context: {
        'fedgate:ClientId': client.id,
        ...(actor === undefined ? {} : { 'fedgate:ActorSubject': actor.sub }),
        ...(context.sourceIp === undefined ? {} : { 'aws:SourceIp': context.sourceIp }),
      },
      now,
    });
    // Refused for what the subject may do, not for the client: invalid_grant (see docs/token-exchange.md).
    if (decision.decision !== 'Allow')
      throw new OAuthError(
        'invalid_grant',
        'The subject is not allowed to exchange a token for this audience.',
        {
          reason: decision.decision,
        },
      );

    const durationSeconds = this.#lifetime(subject, actor, settings.defaultDurationSeconds, now);
    const derivedFrom = [
      ...(subject.parentSessionId === undefined ? [] : [subject.session]),
      ...(actor?.session === undefined ? [] : [actor.session]),
    ];
    const issued = await this.#issue({
      ...this.#inheritedFields(subject),
      audience,
      ...(act === undefined ? {} : { actor: act }),
      ...(scope === undefined ? {} : { scope: scope.join(' ') }),
      clientId: client.id,
      derivedFrom,
      durationSeconds,
    });
    this.#audit(trail, context, {
      event: 'token.exchanged',
      outcome: 'success',
      session: issued.session.id,
      details: {
        ...(subject.parentSessionId === undefined ? {} : { parentSession: subject.parentSessionId }),
        expiresIn: durationSeconds,
        ...(scope === undefined ? {} : { scope: [...scope] }),
      },
    });
    return {
      access_token: issued.token,
      issued_token_type: tokenType,
      token_type: 'Bearer',
      expires_in: issued.session.expiresAt - issued.session.issuedAt,
      ...(scope === undefined ? {} : { scope: scope.join(' ') }),
    };
  }

  /** Seconds the exchanged token lives: never past the subject (nor the actor), within the role's limits. */
  #lifetime(
    subject: ExchangeSubject,
    actor: ExchangeActor | undefined,
    defaultSeconds: number,
    now: number,
  ): number {
    const notAfter = Math.min(subject.notAfter, actor?.notAfter ?? Infinity);
    let seconds = Math.floor((notAfter * 1000 - now) / 1000) - LIFETIME_MARGIN_SECONDS;
    // A provider JWT may be long-lived: the session it becomes is bounded like any web-identity session.
    if (subject.parentSessionId === undefined) seconds = Math.min(seconds, defaultSeconds);
    seconds = Math.min(
      seconds,
      subject.role.maxSessionDurationSeconds,
      subject.session.chain > 0 ? MAX_CHAINED_SESSION_DURATION_SECONDS : MAX_SESSION_DURATION_SECONDS,
    );
    if (seconds < 1)
      throw new OAuthError('invalid_request', 'The subject_token is about to expire.', {
        reason: 'SubjectTokenExpired',
      });
    return seconds;
  }

  /** What the exchanged session keeps from its subject: who, which role, tags, MFA, session policies, lineage. */
  #inheritedFields(subject: ExchangeSubject): Omit<RoleSessionInput, 'audience' | 'durationSeconds'> {
    const s = subject.session;
    return {
      roleName: s.roleName,
      sessionName: s.sessionName,
      provider: s.provider,
      subject: s.subject,
      tags: { ...s.tags },
      transitiveTagKeys: [...s.transitiveTagKeys],
      ...(s.sourceIdentity === undefined ? {} : { sourceIdentity: s.sourceIdentity }),
      mfa: s.mfa,
      amr: [...s.amr],
      ...(s.authTime === undefined ? {} : { authTime: s.authTime }),
      chain: s.chain,
      // The exchanged token can never do more than its subject: the subject's session policies stay.
      sessionPolicies: [...s.sessionPolicies],
      hasSessionPolicy: s.hasSessionPolicy,
      ...(s.portalSessionId === undefined ? {} : { portalSessionId: s.portalSessionId }),
      ...(subject.parentSessionId === undefined ? {} : { parentSessionId: subject.parentSessionId }),
    };
  }

  /**
   * Issues the token. It derives from the subject session and the actor's session: it ends with the earliest of
   * them and is refused once any of them (or their own ancestors) is revoked, on every instance, with no cascade
   * to run; a revocation racing this issuance is caught when the new token is first verified.
   */
  async #issue(input: RoleSessionInput): Promise<IssuedCredential> {
    try {
      return await this.#options.sessions.issue(input);
    } catch (error) {
      throw issuanceRefusal(error);
    }
  }

  #audit(trail: AuditTrail, context: TokenRequestContext, event: TokenEventStart): void {
    const session = trail.subject?.session;
    const about = {
      ...(session === undefined
        ? {}
        : {
            principal: session.principalArn,
            provider: session.provider,
            subject: session.subject,
            role: session.roleArn,
          }),
      ...(context.sourceIp === undefined ? {} : { sourceIp: context.sourceIp }),
      ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
    };
    const details = {
      ...(trail.clientId === undefined ? {} : { clientId: trail.clientId }),
      ...(trail.audience === undefined ? {} : { audience: trail.audience }),
      ...(trail.actor === undefined ? {} : { actor: trail.actor.sub }),
    };
    // Two calls so each event's details are checked against its own shape (the output is the same).
    if (event.event === 'token.exchanged')
      this.#options.audit.record({ ...event, ...about, details: { ...details, ...event.details } });
    else this.#options.audit.record({ ...event, ...about, details: { ...details, ...event.details } });
  }
}

/** The answer to a failed issuance: a store outage is temporary; an oversized token or signed-out portal is the request's. */
function issuanceRefusal(error: unknown): OAuthError {
  if (isOAuthError(error)) return error;
  if (isFedgateError(error)) {
    switch (error.code) {
      case 'StoreUnavailable':
      case 'ServiceUnavailable':
        return new OAuthError('temporarily_unavailable', 'The token service is temporarily unavailable.', {
          reason: error.code,
          cause: error,
        });
      case 'PackedPolicyTooLarge':
        return new OAuthError('invalid_request', 'The exchanged token would be too large.', {
          reason: 'TokenTooLarge',
          cause: error,
        });
      case 'ValidationError':
        return new OAuthError('invalid_request', 'The delegation or exchange chain is too long.', {
          reason: 'LineageTooLong',
          cause: error,
        });
      case 'ExpiredToken':
      case 'InvalidToken':
        return new OAuthError('invalid_request', 'The subject_token has been revoked.', {
          reason: 'SubjectTokenRevoked',
          cause: error,
        });
      default:
        break;
    }
  }
  throw error;
}
