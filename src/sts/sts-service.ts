import { FedgateError } from '../errors/index.js';
import {
  assertPackedPolicySize,
  assertSourceIdentity,
  assumableRoles,
  callerSessionPrincipal,
  chainedTagSet,
  chainedTrustContext,
  decideAssumeRole,
  defaultSessionName,
  federatedTrustRequest,
  packedPolicySize,
  requestContextKeys,
  resolveSessionPolicies,
  samlNameQualifier,
  samlSubjectType,
  sessionLifetimeSeconds,
  tagsFromList,
  validateTagSet,
  type ArnScope,
  type FederatedIdentity,
  type ResolvedSessionPolicies,
  type TagSet,
  type TrustRequestFacts,
} from '../federation/index.js';
import { authorizeSession, type PolicyCatalog, type RoleDefinition } from '../roles/index.js';
import {
  assumedRoleIdFor,
  DEFAULT_SESSION_AUDIENCE,
  type IssuedCredential,
  type RoleSession,
} from '../sessions/index.js';
import {
  assumeRoleSchema,
  assumeRoleWithSamlSchema,
  assumeRoleWithWebIdentitySchema,
  decodeAuthorizationMessageSchema,
  parseStsInput,
  revokeSchema,
} from './sts-inputs.js';
import type { StsRequestContext, StsServiceOptions, StsSettings } from './sts-ports.js';
import { accessDenied, withRefusalAudit, type RequestNotes, type StsRefusalReason } from './sts-refusal.js';
import {
  assumeRoleResponse,
  awsTimestamp,
  type AssumeRoleResponse,
  type AssumeRoleWithSamlResponse,
  type AssumeRoleWithWebIdentityResponse,
  type CallerIdentityResponse,
  type DecodeAuthorizationMessageResponse,
  type RevokeResponse,
} from './sts-responses.js';

/** Options of a role session minted for a federated identity the portal already holds. */
export interface IdentityAssumeOptions extends StsRequestContext {
  /** Requested lifetime; validated like `DurationSeconds`. */
  readonly durationSeconds?: number | undefined;
  /** Epoch ms the session must not outlive (the portal session's end). */
  readonly notAfter?: number | undefined;
  readonly portalSessionId?: string | undefined;
  /** Overrides the identity's default session name (validated). */
  readonly sessionName?: string | undefined;
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
}

/** A minted role session: the SPEC 4.3 answer, the session record and its credential. */
export interface IdentityAssumeResult {
  readonly response: AssumeRoleResponse;
  readonly session: RoleSession;
  readonly token: string;
}

/** The session a federated assume-role request asks for, before trust and issue. */
interface FederatedAsk {
  readonly identity: FederatedIdentity;
  readonly role: { readonly RoleArn?: string | undefined; readonly RoleName?: string | undefined };
  readonly sessionName?: string | undefined;
  readonly durationSeconds?: number | undefined;
  readonly notAfter?: number | undefined;
  readonly portalSessionId?: string | undefined;
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
}

interface Minted {
  readonly issued: IssuedCredential;
  readonly packedPolicySize: number;
}

/**
 * The STS API (SPEC 4.3) and the one place role sessions are minted: web identity, SAML, role chaining and the
 * portal all run the same pipeline — validate the input, verify the identity, find the role, decide trust (with
 * tags and source identity), resolve session policies, fix the lifetime — and only then issue. Every outcome is an
 * audit event; a refusal writes nothing to the store.
 */
export class StsService {
  readonly #options: StsServiceOptions;
  readonly #clock: () => number;

  constructor(options: StsServiceOptions) {
    for (const name of ['catalog', 'settings', 'samlProvider'] as const) {
      if (typeof options[name] !== 'function') throw new TypeError(`${name} must be a function`);
    }
    this.#options = options;
    this.#clock = options.now ?? Date.now;
  }

  /** `POST /sts/assume-role-with-web-identity`: a JWT from a configured OIDC provider for a role session. */
  async assumeRoleWithWebIdentity(
    body: unknown,
    ctx: StsRequestContext = {},
  ): Promise<AssumeRoleWithWebIdentityResponse> {
    const notes: RequestNotes = { action: 'sts:AssumeRoleWithWebIdentity' };
    return withRefusalAudit(this.#options, ctx, notes, async () => {
      const input = parseStsInput(assumeRoleWithWebIdentitySchema, body);
      const identity = await this.#options.webIdentity.verify(input.WebIdentityToken);
      const minted = await this.#mintFederated(
        {
          identity,
          role: input,
          sessionName: input.RoleSessionName,
          durationSeconds: input.DurationSeconds,
          policy: input.Policy,
          policyArns: input.PolicyArns?.map((entry) => entry.arn),
        },
        ctx,
        notes,
      );
      return {
        ...assumeRoleResponse(minted.issued, minted.packedPolicySize),
        Provider: identity.provider,
        SubjectFromWebIdentityToken: identity.attributes['sub']?.[0] ?? identity.subject,
        Audience: identity.audience ?? identity.attributes['aud']?.[0] ?? '',
      };
    });
  }

  /**
   * `POST /sts/assume-role-with-saml`: a signed SAML Response from a configured SAML provider for a role session.
   * `body` may be a promise of it (a JSON body still being parsed in a worker): its refusal is audited as the
   * others are.
   */
  async assumeRoleWithSaml(body: unknown, ctx: StsRequestContext = {}): Promise<AssumeRoleWithSamlResponse> {
    const notes: RequestNotes = { action: 'sts:AssumeRoleWithSAML' };
    return withRefusalAudit(this.#options, ctx, notes, async () => {
      const input = parseStsInput(assumeRoleWithSamlSchema, await body);
      const settings = this.#options.settings();
      const providerId = samlProviderId(input, settings);
      notes.provider = providerId;
      const provider = this.#options.samlProvider(providerId);
      if (provider === undefined) {
        throw new FedgateError(
          'ValidationError',
          'PrincipalArn/ProviderId does not name a configured SAML provider',
        );
      }
      const identity = await provider.verifyStsAssertion(input.SAMLAssertion);
      if (identity.provider !== providerId || identity.providerType !== 'saml') {
        throw new FedgateError('InvalidIdentityToken', 'The SAML assertion is not from the named provider');
      }
      const minted = await this.#mintFederated(
        {
          identity,
          role: input,
          durationSeconds: input.DurationSeconds,
          policy: input.Policy,
          policyArns: input.PolicyArns?.map((entry) => entry.arn),
        },
        ctx,
        notes,
      );
      return {
        ...assumeRoleResponse(minted.issued, minted.packedPolicySize),
        Subject: identity.subject,
        SubjectType: samlSubjectType(identity.nameIdFormat),
        Issuer: identity.issuer,
        Audience: identity.audience ?? '',
        NameQualifier: samlNameQualifier(identity.issuer, settings.account, identity.provider),
      };
    });
  }

  /**
   * `POST /sts/assume-role`, role chaining: the caller must be allowed `sts:AssumeRole` on the target (by the
   * same decision as every other request, the target's trust policy acting as its resource-based policy), and
   * the target's trust policy must allow the caller's session.
   * At most 1 h and never past the caller; revoked with the caller (and its ancestors); transitive tags and the
   * source identity carry over and cannot be changed.
   */
  async assumeRole(
    callerCredential: string | RoleSession,
    body: unknown,
    ctx: StsRequestContext = {},
  ): Promise<AssumeRoleResponse> {
    const notes: RequestNotes = { action: 'sts:AssumeRole' };
    return withRefusalAudit(this.#options, ctx, notes, async () => {
      const input = parseStsInput(assumeRoleSchema, body);
      const caller = await this.#caller(callerCredential);
      notes.principal = caller.principalArn;
      notes.provider = caller.provider;
      notes.subject = caller.subject;
      const catalog = this.#options.catalog();
      const settings = this.#options.settings();
      const scope = scopeOf(settings);
      const now = ctx.now ?? this.#clock();
      const role = resolveRole(catalog, input, notes);

      const requestTags = validateTagSet({
        tags: tagsFromList(input.Tags ?? []),
        transitiveTagKeys: input.TransitiveTagKeys ?? [],
      });
      const tagSet = chainedTagSet(caller, requestTags);
      const sourceIdentity = chainedSourceIdentity(caller, input.SourceIdentity);
      const facts = requestFacts(input.RoleSessionName, sourceIdentity, requestTags, ctx, now);

      const callerContext = requestContextKeys(facts);
      const refuseUnlessCallerMay = (action: string, reason: StsRefusalReason): void => {
        const decision = authorizeSession(catalog, caller, {
          action,
          resource: role.arn,
          context: callerContext,
          now,
          resourcePolicy: role.trustPolicy,
        });
        if (decision.decision !== 'Allow')
          throw accessDenied(notes, reason, { resource: role.arn, decision, context: callerContext });
      };
      refuseUnlessCallerMay('sts:AssumeRole', 'CallerNotAllowed');
      if (Object.keys(requestTags.tags).length > 0)
        refuseUnlessCallerMay('sts:TagSession', 'CallerTagSessionDenied');
      if (input.SourceIdentity !== undefined && caller.sourceIdentity === undefined)
        refuseUnlessCallerMay('sts:SetSourceIdentity', 'CallerSetSourceIdentityDenied');
      const trustContext = chainedTrustContext(caller, facts, scope);
      const trust = decideAssumeRole(role, {
        principal: callerSessionPrincipal(caller, scope),
        action: 'sts:AssumeRole',
        context: trustContext,
        passesTags: Object.keys(requestTags.tags).length > 0,
        setsSourceIdentity: sourceIdentity !== undefined,
      });
      if (!trust.allowed)
        throw accessDenied(notes, trust.reason, {
          resource: role.arn,
          decision: trust.decision,
          context: trustContext,
        });

      const policies = resolvePolicies(
        catalog,
        input.Policy,
        input.PolicyArns?.map((entry) => entry.arn),
      );
      const packed = assertPackedPolicySize(packedPolicySize(policies, tagSet.tags));
      const durationSeconds = sessionLifetimeSeconds({
        requestedSeconds: input.DurationSeconds,
        roleMaxSeconds: role.maxSessionDurationSeconds,
        defaultSeconds: settings.defaultDurationSeconds,
        chained: true,
        chainedMaxSeconds: settings.chainedMaxDurationSeconds,
        // Never past the caller, so never past the portal sign-in or IdP session the chain started from;
        // a role chained to itself cannot renew its lifetime either.
        notAfter: caller.expiresAt * 1000,
        now,
      });
      const issued = await this.#options.sessions.issue({
        roleName: role.name,
        sessionName: input.RoleSessionName,
        provider: caller.provider,
        subject: caller.subject,
        tags: tagSet.tags,
        transitiveTagKeys: tagSet.transitiveTagKeys,
        ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
        mfa: caller.mfa,
        amr: caller.amr,
        ...(caller.authTime === undefined ? {} : { authTime: caller.authTime }),
        chain: caller.chain + 1,
        sessionPolicies: policies.documents,
        hasSessionPolicy: policies.documents.length > 0,
        audience: DEFAULT_SESSION_AUDIENCE,
        ...(caller.portalSessionId === undefined ? {} : { portalSessionId: caller.portalSessionId }),
        parentSessionId: caller.id,
        derivedFrom: [caller],
        durationSeconds,
      });
      this.#recordAssumed(issued, notes, ctx, durationSeconds);
      return assumeRoleResponse(issued, Math.max(packed, issued.packedPolicySize));
    });
  }

  /**
   * A role session for a federated identity the caller already verified (the portal's sign-in): the same trust,
   * tag, policy and lifetime rules as the STS API, never outliving `notAfter`.
   */
  async assumeRoleForIdentity(
    identity: FederatedIdentity,
    roleName: string,
    options: IdentityAssumeOptions = {},
  ): Promise<IdentityAssumeResult> {
    const notes: RequestNotes = { action: actionFor(identity) };
    return withRefusalAudit(this.#options, options, notes, async () => {
      const minted = await this.#mintFederated(
        {
          identity,
          role: { RoleName: roleName },
          sessionName: options.sessionName,
          durationSeconds: options.durationSeconds,
          notAfter: options.notAfter,
          portalSessionId: options.portalSessionId,
          policy: options.policy,
          policyArns: options.policyArns,
        },
        options,
        notes,
      );
      return {
        response: assumeRoleResponse(minted.issued, minted.packedPolicySize),
        session: minted.issued.session,
        token: minted.issued.token,
      };
    });
  }

  /** The roles a federated identity may assume now (the portal's list), in configuration order. */
  assumableRoles(identity: FederatedIdentity, ctx: StsRequestContext = {}): RoleDefinition[] {
    const settings = this.#options.settings();
    const catalog = this.#options.catalog();
    let tagSet: TagSet;
    try {
      tagSet = identityTagSet(identity);
    } catch {
      return [];
    }
    const facts = requestFacts(
      defaultSessionName(identity),
      identity.sourceIdentity,
      tagSet,
      ctx,
      ctx.now ?? this.#clock(),
    );
    return assumableRoles(identity, catalog, facts, scopeOf(settings));
  }

  /** `GET /sts/caller-identity` and GetCallerIdentity: who the caller (a credential or a signed session) is. */
  async callerIdentity(caller: string | RoleSession): Promise<CallerIdentityResponse> {
    const session = await this.#caller(caller);
    return {
      Arn: session.principalArn,
      UserId: assumedRoleIdFor(session),
      Account: this.#options.settings().account,
    };
  }

  /**
   * `POST /sts/revoke`: without arguments (or with the bearer's own SessionId) revokes the bearer's session;
   * another session, a role's sessions issued before a time, or a subject's sessions need `fedgate:RevokeSessions`
   * on `arn:<p>:fedgate::<acct>:session/<id>` | `role/<name>` | `subject/<subject>`.
   */
  async revoke(token: string, body: unknown, ctx: StsRequestContext = {}): Promise<RevokeResponse> {
    const input = parseStsInput(revokeSchema, body);
    const caller = await this.#options.sessions.verify(token);
    const settings = this.#options.settings();
    const now = ctx.now ?? this.#clock();
    const target = revocationTarget(input, caller, now);
    const audit = (outcome: 'success' | 'denied', details: Record<string, string>): void => {
      this.#options.audit.record({
        event: 'session.revoked',
        outcome,
        principal: caller.principalArn,
        provider: caller.provider,
        subject: caller.subject,
        session: caller.id,
        ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
        ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
        ...(outcome === 'denied' ? { reason: 'AccessDenied' } : {}),
        details,
      });
    };
    if (target.kind !== 'self') {
      const resource = `arn:${settings.partition}:fedgate::${settings.account}:${target.resource}`;
      const decision = authorizeSession(this.#options.catalog(), caller, {
        action: 'fedgate:RevokeSessions',
        resource,
        context: ctx.sourceIp === undefined ? {} : { 'aws:SourceIp': ctx.sourceIp },
        now,
      });
      if (decision.decision !== 'Allow') {
        audit('denied', { scope: target.kind, resource });
        throw new FedgateError('AccessDenied', 'Not authorized to perform fedgate:RevokeSessions');
      }
    }
    switch (target.kind) {
      case 'self':
      case 'session': {
        const wasLive = await this.#options.sessions.revokeSession(target.sessionId);
        audit('success', { scope: target.kind, revokedSession: target.sessionId });
        return { Revoked: { SessionId: target.sessionId, WasLive: wasLive } };
      }
      case 'role': {
        await this.#options.sessions.revokeRole(target.roleName, target.issuedBefore);
        const issuedBefore = awsTimestamp(new Date(target.issuedBefore * 1000));
        audit('success', { scope: 'role', role: target.roleName, issuedBefore });
        return { Revoked: { RoleName: target.roleName, IssuedBefore: issuedBefore } };
      }
      case 'subject': {
        await this.#options.sessions.revokeSubject(target.subject, target.provider);
        audit('success', {
          scope: 'subject',
          revokedSubject: target.subject,
          ...(target.provider === undefined ? {} : { revokedProvider: target.provider }),
        });
        return {
          Revoked: {
            Subject: target.subject,
            ...(target.provider === undefined ? {} : { Provider: target.provider }),
          },
        };
      }
    }
  }

  /**
   * DecodeAuthorizationMessage: the explanation inside an encoded authorization failure message, for a caller
   * allowed `sts:DecodeAuthorizationMessage` (resource `*`, as in AWS). InvalidAuthorizationMessageException for
   * a message this gateway did not encode.
   */
  async decodeAuthorizationMessage(
    callerCredential: string | RoleSession,
    body: unknown,
    ctx: StsRequestContext = {},
  ): Promise<DecodeAuthorizationMessageResponse> {
    const input = parseStsInput(decodeAuthorizationMessageSchema, body);
    const caller = await this.#caller(callerCredential);
    const now = ctx.now ?? this.#clock();
    const decision = authorizeSession(this.#options.catalog(), caller, {
      action: 'sts:DecodeAuthorizationMessage',
      resource: '*',
      context: ctx.sourceIp === undefined ? {} : { 'aws:SourceIp': ctx.sourceIp },
      now,
    });
    if (decision.decision !== 'Allow')
      throw new FedgateError('AccessDenied', 'Not authorized to perform sts:DecodeAuthorizationMessage');
    const decoded = this.#options.authorizationMessages?.decode(input.EncodedMessage);
    if (decoded === undefined)
      throw new FedgateError(
        'InvalidAuthorizationMessageException',
        'The encoded authorization message is not valid.',
      );
    return { DecodedMessage: decoded };
  }

  /** The live session of a caller: a session credential to verify, or a session a SigV4 signature authenticated. */
  async #caller(credential: string | RoleSession): Promise<RoleSession> {
    return typeof credential === 'string' ? this.#options.sessions.verify(credential) : credential;
  }

  /** The shared pipeline of every federated assume-role request. */
  async #mintFederated(ask: FederatedAsk, ctx: StsRequestContext, notes: RequestNotes): Promise<Minted> {
    const { identity } = ask;
    notes.provider = identity.provider;
    notes.subject = identity.subject;
    const catalog = this.#options.catalog();
    const settings = this.#options.settings();
    const scope = scopeOf(settings);
    const now = ctx.now ?? this.#clock();
    const role = resolveRole(catalog, ask.role, notes);

    const sessionName =
      ask.sessionName === undefined ? defaultSessionName(identity) : assertSessionNameInput(ask.sessionName);
    const tagSet = identityTagSet(identity);
    const sourceIdentity =
      identity.sourceIdentity === undefined
        ? undefined
        : assertSourceIdentity(identity.sourceIdentity, 'IDPRejectedClaim');
    const facts = requestFacts(sessionName, sourceIdentity, tagSet, ctx, now);
    const trustRequest = federatedTrustRequest(identity, facts, scope);
    const trust = decideAssumeRole(role, trustRequest);
    if (!trust.allowed)
      throw accessDenied(notes, trust.reason, {
        resource: role.arn,
        decision: trust.decision,
        context: trustRequest.context,
      });

    const policies = resolvePolicies(catalog, ask.policy, ask.policyArns);
    const packed = assertPackedPolicySize(packedPolicySize(policies, tagSet.tags));
    const durationSeconds = sessionLifetimeSeconds({
      requestedSeconds: ask.durationSeconds,
      idpSessionSeconds: identity.sessionDuration,
      roleMaxSeconds: role.maxSessionDurationSeconds,
      defaultSeconds: settings.defaultDurationSeconds,
      chained: false,
      chainedMaxSeconds: settings.chainedMaxDurationSeconds,
      notAfter: ask.notAfter,
      now,
    });
    const issued = await this.#options.sessions.issue({
      roleName: role.name,
      sessionName,
      provider: identity.provider,
      subject: identity.subject,
      tags: tagSet.tags,
      transitiveTagKeys: tagSet.transitiveTagKeys,
      ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
      mfa: identity.mfa,
      amr: identity.amr,
      authTime: identity.authTime,
      chain: 0,
      sessionPolicies: policies.documents,
      hasSessionPolicy: policies.documents.length > 0,
      audience: DEFAULT_SESSION_AUDIENCE,
      ...(ask.portalSessionId === undefined ? {} : { portalSessionId: ask.portalSessionId }),
      durationSeconds,
    });
    this.#recordAssumed(issued, notes, ctx, durationSeconds);
    return { issued, packedPolicySize: Math.max(packed, issued.packedPolicySize) };
  }

  #recordAssumed(
    issued: IssuedCredential,
    notes: RequestNotes,
    ctx: StsRequestContext,
    durationSeconds: number,
  ): void {
    const { session } = issued;
    this.#options.audit.record({
      event: 'role.assumed',
      outcome: 'success',
      principal: session.principalArn,
      provider: session.provider,
      subject: session.subject,
      role: session.roleName,
      session: session.id,
      ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
      ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
      details: {
        action: notes.action,
        roleArn: session.roleArn,
        accessKeyId: session.accessKeyId,
        chain: session.chain,
        durationSeconds,
        ...(session.sourceIdentity === undefined ? {} : { sourceIdentity: session.sourceIdentity }),
        ...(session.parentSessionId === undefined ? {} : { parentSession: session.parentSessionId }),
        sessionPolicy: session.hasSessionPolicy,
      },
    });
  }
}

function scopeOf(settings: StsSettings): ArnScope {
  return { partition: settings.partition, account: settings.account };
}

function actionFor(identity: FederatedIdentity): string {
  return identity.providerType === 'saml' ? 'sts:AssumeRoleWithSAML' : 'sts:AssumeRoleWithWebIdentity';
}

/** `RoleArn` or `RoleName`, exactly one; an unknown role is AccessDenied like a refused one. */
function resolveRole(
  catalog: PolicyCatalog,
  choice: { readonly RoleArn?: string | undefined; readonly RoleName?: string | undefined },
  notes: RequestNotes,
): RoleDefinition {
  if (choice.RoleArn !== undefined && choice.RoleName !== undefined) {
    throw new FedgateError('ValidationError', 'Give either RoleArn or RoleName, not both');
  }
  if (choice.RoleArn === undefined && choice.RoleName === undefined) {
    throw new FedgateError('ValidationError', 'RoleArn or RoleName is required');
  }
  notes.role = choice.RoleName ?? choice.RoleArn ?? '';
  const role =
    choice.RoleArn !== undefined ? catalog.roleByArn(choice.RoleArn) : catalog.role(choice.RoleName ?? '');
  if (role === undefined) throw accessDenied(notes, 'UnknownRole');
  notes.role = role.name;
  return role;
}

/** The SAML provider an STS request names by `ProviderId` or `PrincipalArn` (`…:saml-provider/<id>`). */
function samlProviderId(
  input: { readonly PrincipalArn?: string | undefined; readonly ProviderId?: string | undefined },
  settings: StsSettings,
): string {
  const prefix = `arn:${settings.partition}:iam::${settings.account}:saml-provider/`;
  let fromArn: string | undefined;
  if (input.PrincipalArn !== undefined) {
    if (!input.PrincipalArn.startsWith(prefix) || input.PrincipalArn.length === prefix.length) {
      throw new FedgateError('ValidationError', `PrincipalArn must be ${prefix}<provider id>`);
    }
    fromArn = input.PrincipalArn.slice(prefix.length);
  }
  if (fromArn !== undefined && input.ProviderId !== undefined && fromArn !== input.ProviderId) {
    throw new FedgateError('ValidationError', 'PrincipalArn and ProviderId name different providers');
  }
  const id = fromArn ?? input.ProviderId;
  if (id === undefined) throw new FedgateError('ValidationError', 'PrincipalArn or ProviderId is required');
  return id;
}

/** The identity's own tags (provider mapping, AWS tag attributes/claims), validated as IdP input. */
function identityTagSet(identity: FederatedIdentity): TagSet {
  return validateTagSet(
    { tags: identity.tags ?? {}, transitiveTagKeys: identity.transitiveTagKeys ?? [] },
    'IDPRejectedClaim',
  );
}

function assertSessionNameInput(name: string): string {
  if (!/^[\w+=,.@-]{2,64}$/.test(name)) {
    throw new FedgateError(
      'ValidationError',
      'RoleSessionName must be 2 to 64 characters of letters, digits and _+=,.@-',
    );
  }
  return name;
}

/** A chained session keeps the caller's source identity; a request may set one only if there is none yet. */
function chainedSourceIdentity(caller: RoleSession, requested: string | undefined): string | undefined {
  if (requested !== undefined) assertSourceIdentity(requested);
  if (caller.sourceIdentity === undefined) return requested;
  if (requested !== undefined && requested !== caller.sourceIdentity) {
    throw new FedgateError(
      'ValidationError',
      'SourceIdentity is inherited from the calling session and cannot be changed',
    );
  }
  return caller.sourceIdentity;
}

function requestFacts(
  sessionName: string,
  sourceIdentity: string | undefined,
  tags: TagSet,
  ctx: StsRequestContext,
  now: number,
): TrustRequestFacts {
  return {
    sessionName,
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    requestTags: tags.tags,
    transitiveTagKeys: tags.transitiveTagKeys,
    ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
    now,
  };
}

function resolvePolicies(
  catalog: PolicyCatalog,
  policy: string | undefined,
  policyArns: readonly string[] | undefined,
): ResolvedSessionPolicies {
  return resolveSessionPolicies({ policy, policyArns }, (arn) => catalog.managedPolicyDocument(arn));
}

type RevocationTarget =
  | { readonly kind: 'self'; readonly sessionId: string }
  | { readonly kind: 'session'; readonly sessionId: string; readonly resource: string }
  | {
      readonly kind: 'role';
      readonly roleName: string;
      readonly issuedBefore: number;
      readonly resource: string;
    }
  | {
      readonly kind: 'subject';
      readonly subject: string;
      readonly provider?: string;
      readonly resource: string;
    };

/** Which sessions a revoke request names; exactly one of SessionId, RoleName, Subject, or none for the bearer's. */
function revocationTarget(
  input: {
    readonly SessionId?: string | undefined;
    readonly RoleName?: string | undefined;
    readonly IssuedBefore?: string | number | undefined;
    readonly Subject?: string | undefined;
    readonly Provider?: string | undefined;
  },
  caller: RoleSession,
  now: number,
): RevocationTarget {
  const named = [input.SessionId, input.RoleName, input.Subject].filter(
    (value) => value !== undefined,
  ).length;
  if (named > 1) throw new FedgateError('ValidationError', 'Give one of SessionId, RoleName or Subject');
  if (input.IssuedBefore !== undefined && input.RoleName === undefined) {
    throw new FedgateError('ValidationError', 'IssuedBefore goes with RoleName');
  }
  if (input.Provider !== undefined && input.Subject === undefined) {
    throw new FedgateError('ValidationError', 'Provider goes with Subject');
  }
  if (input.SessionId === undefined && input.RoleName === undefined && input.Subject === undefined) {
    return { kind: 'self', sessionId: caller.id };
  }
  if (input.SessionId !== undefined) {
    return input.SessionId === caller.id
      ? { kind: 'self', sessionId: caller.id }
      : { kind: 'session', sessionId: input.SessionId, resource: `session/${input.SessionId}` };
  }
  if (input.RoleName !== undefined) {
    return {
      kind: 'role',
      roleName: input.RoleName,
      issuedBefore: issuedBeforeSeconds(input.IssuedBefore, now),
      resource: `role/${input.RoleName}`,
    };
  }
  const subject = input.Subject ?? '';
  return {
    kind: 'subject',
    subject,
    ...(input.Provider === undefined ? {} : { provider: input.Provider }),
    resource: `subject/${subject}`,
  };
}

/** `IssuedBefore` as epoch seconds: ISO 8601 or epoch seconds; by default everything issued up to now. */
function issuedBeforeSeconds(value: string | number | undefined, now: number): number {
  if (value === undefined) return Math.floor(now / 1000) + 1;
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    const seconds = Number(value);
    if (!Number.isSafeInteger(seconds))
      throw new FedgateError('ValidationError', 'IssuedBefore: not a valid time');
    return seconds;
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw new FedgateError('ValidationError', 'IssuedBefore: use an ISO 8601 date-time or epoch seconds');
  }
  return Math.ceil(ms / 1000);
}
