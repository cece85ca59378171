import { timingSafeEqual } from 'node:crypto';
import type { GatewayConfig } from '../config/index.js';
import type { FederatedIdentity } from '../federation/federated-identity.js';
import type { ProviderRegistry } from '../identity-providers/provider-registry.js';
import type { SamlLogin } from '../identity-providers/saml/index.js';
import type { SessionService } from '../sessions/index.js';
import type { AuditLog } from '../audit/index.js';
import { FedgateError } from '../errors/index.js';
import { DEVICE_VERIFICATION_PATH, type DeviceAuthorizationService } from '../device-authorization/index.js';
import type { PortalSession, PortalSessionRef, PortalSessionStore } from './portal-session-store.js';
import type { PortalCredential, PortalFederation, PortalRequestContext } from './portal-federation.js';
import type { ActiveSession, RoleChoice } from './portal-pages.js';

/** What the portal flow needs from the composition root. */
export interface PortalFlowDependencies {
  readonly getConfig: () => GatewayConfig;
  readonly getProviders: () => ProviderRegistry;
  readonly portalSessions: PortalSessionStore;
  readonly sessions: Pick<SessionService, 'verify' | 'revokePortalSession' | 'revokeSubject'>;
  readonly federation: PortalFederation;
  readonly audit: Pick<AuditLog, 'record'>;
  /** The device authorization grant (`fedgate login`), whose codes a signed-in person answers at `/device`. */
  readonly device?: Pick<DeviceAuthorizationService, 'approve' | 'deny'>;
  /** Counts a browser sign-in's outcome (the gateway's metrics). */
  readonly countLogin?: (provider: string, outcome: 'success' | 'failure') => void;
  /** Epoch milliseconds. */
  readonly now?: () => number;
}

/** A sign-in whose IdP answer was verified: what the portal does with it. */
export interface VerifiedSignIn {
  readonly identity: FederatedIdentity;
  /** Where the person goes afterwards, already checked against the allowed hosts. */
  readonly returnTo: string | undefined;
  /** The portal cookie this browser sent with the answer, if any. */
  readonly portalCookie: string | undefined;
  /** The binding cookie of the sign-in this answer completes (the browser that started it). */
  readonly browserBinding?: string | undefined;
  /** What SAML single logout needs later. */
  readonly saml?: { readonly nameIdValue?: string; readonly sessionIndex?: string };
  /** An OIDC sign-in's ID token, kept encrypted for `id_token_hint` at sign-out. */
  readonly idToken?: string;
  /** Attributes whose value was refused as a session tag, for the "no role" page. */
  readonly refusedTagAttributes?: readonly string[];
  readonly context: PortalRequestContext;
}

/** The end of a verified sign-in. */
export type FinishedSignIn =
  /** No role trusts this identity: no portal session was created. */
  | {
      readonly outcome: 'no-role';
      readonly identity: FederatedIdentity;
      readonly refusedTagAttributes: readonly string[];
    }
  /** A portal session lasting `lifetimeSeconds`, and the step that follows. */
  | {
      readonly outcome: 'signed-in';
      readonly portal: PortalSession;
      readonly lifetimeSeconds: number;
      readonly next: SignInNextStep;
    };

/** What follows a sign-in that created a portal session. */
export type SignInNextStep =
  /** Back to the device verification page the sign-in started from: the role is picked there. */
  | { readonly step: 'device-verification'; readonly returnTo: string }
  /** Exactly one role fits: its role session is minted for the browser at once (`assume`), then `returnTo`. */
  | { readonly step: 'assume-only-role'; readonly roleName: string; readonly returnTo: string | undefined }
  /** Several roles fit: the person picks one on the roles page. */
  | { readonly step: 'choose-role'; readonly returnTo: string | undefined };

/** A browser's standing at the portal. */
export type PortalStanding =
  | { readonly outcome: 'signed-out' }
  | { readonly outcome: 'no-role'; readonly portal: PortalSession }
  | { readonly outcome: 'signed-in'; readonly portal: PortalSession; readonly roles: readonly RoleChoice[] };

/** What a signed-in person answers to a `fedgate login` device code at `/device`. */
export type DeviceCodeDecision =
  | { readonly decision: 'approve'; readonly userCode: unknown; readonly roleName: string }
  | { readonly decision: 'deny'; readonly userCode: unknown };

/** The device code's answer recorded, or why not; with the roles the page offers (again). */
export type DeviceCodeAnswer =
  | { readonly outcome: 'answered'; readonly roles: readonly RoleChoice[] }
  | {
      readonly outcome: 'refused';
      /** No code waiting under that user code (unknown, expired), or one already approved or denied. */
      readonly reason: 'UnknownUserCode' | 'AlreadyAnswered';
      readonly roles: readonly RoleChoice[];
    };

/** The portal's application flow (SPEC 4.2): sign-in, role sessions for the browser, sign-out, single logout. */
export interface PortalFlow {
  /** The live portal session of a portal cookie value. */
  session(portalCookie: string | undefined): Promise<PortalSession | undefined>;
  /** Signed in with roles to pick from, signed in without any, or signed out. */
  standing(portalCookie: string | undefined, context: PortalRequestContext): Promise<PortalStanding>;
  /** The roles a portal session's identity may assume now. */
  assumableRoles(portal: PortalSession, context: PortalRequestContext): Promise<readonly RoleChoice[]>;
  /** The browser's role session, when its session cookie holds a live one minted from this portal session. */
  activeSession(portal: PortalSession, sessionCookie: string | undefined): Promise<ActiveSession | undefined>;
  /**
   * Remembers the portal session this browser holds as it starts a sign-in, so that the sign-in ends it even
   * when the IdP's answer arrives without the portal cookie (a cross-site SAML POST).
   */
  rememberSignInStart(
    portalCookie: string | undefined,
    browserBinding: string,
    ttlSeconds: number,
  ): Promise<void>;
  /** After a verified IdP answer: a portal session, unless no role fits. */
  finishSignIn(signIn: VerifiedSignIn): Promise<FinishedSignIn>;
  /** `finishSignIn` for a verified SAML login. */
  finishSamlSignIn(
    login: SamlLogin,
    signIn: Omit<VerifiedSignIn, 'identity' | 'saml' | 'refusedTagAttributes' | 'idToken'>,
  ): Promise<FinishedSignIn>;
  /** Audits and counts a refused sign-in; the refusal when it is one of ours, undefined for an unexpected error. */
  signInFailed(provider: string, error: unknown, context: PortalRequestContext): FedgateError | undefined;
  /** A role session for the browser, never outliving the portal session. */
  assume(
    portal: PortalSession,
    roleName: string,
    durationSeconds: number | undefined,
    context: PortalRequestContext,
  ): Promise<PortalCredential>;
  /**
   * Approves a device code for a role that trusts this sign-in (else AccessDenied), never outliving the portal
   * session, or denies it.
   */
  answerDeviceCode(
    portal: PortalSession,
    answer: DeviceCodeDecision,
    context: PortalRequestContext,
  ): Promise<DeviceCodeAnswer>;
  /** Revokes the portal session and every role session minted from it (sign-out). */
  endSession(portal: PortalSessionRef, context: PortalRequestContext): Promise<void>;
  /** Where the IdP ends its own session after a sign-out here, if it offers that. */
  idpLogoutUrl(portal: PortalSession, returnTo: string | undefined): Promise<string | undefined>;
  /** The IdP ended a subject's session (SAML LogoutRequest): every portal and role session of it ends here. */
  subjectSignedOut(provider: string, nameIdValue: string, context: PortalRequestContext): Promise<void>;
}

/** Builds the portal flow over its stores, federation and audit log. */
export function createPortalFlow(deps: PortalFlowDependencies): PortalFlow {
  const now = deps.now ?? Date.now;

  /** Revokes a portal session and every role session minted from it. */
  const retire = async (
    portal: PortalSessionRef,
    reason: 'logout' | 'replaced',
    context: PortalRequestContext,
  ): Promise<void> => {
    const revoked = await deps.sessions.revokePortalSession(portal.handle);
    await deps.portalSessions.delete(portal);
    deps.audit.record({
      event: 'portal.logout',
      outcome: 'success',
      provider: portal.identity.provider,
      subject: portal.identity.subject,
      sourceIp: context.sourceIp,
      requestId: context.requestId,
      details: { revokedSessions: revoked, ...(reason === 'replaced' ? { reason: 'new-sign-in' } : {}) },
    });
  };

  const finishSignIn = async (signIn: VerifiedSignIn): Promise<FinishedSignIn> => {
    const { identity, returnTo, context } = signIn;
    // A new sign-in in this browser ends its previous portal session and the role sessions minted from it:
    // a copy of the old cookie must stop working, not merely be overwritten in this browser. The session is
    // the one whose cookie came with this answer, or the one the browser held when it started the sign-in.
    const current = await deps.portalSessions.get(signIn.portalCookie);
    const atStart = await deps.portalSessions.takeSignInStart(signIn.browserBinding);
    for (const previous of [current, atStart]) {
      if (previous === undefined) continue;
      if (previous === atStart && current?.handle === atStart.handle) continue;
      await retire(previous, 'replaced', context);
    }
    const roles = await deps.federation.assumableRoles(identity, context);
    deps.countLogin?.(identity.provider, 'success');
    deps.audit.record({
      event: 'login.succeeded',
      outcome: 'success',
      provider: identity.provider,
      subject: identity.subject,
      sourceIp: context.sourceIp,
      requestId: context.requestId,
      details: { roles: roles.map((role) => role.name) },
    });
    if (roles.length === 0)
      return { outcome: 'no-role', identity, refusedTagAttributes: signIn.refusedTagAttributes ?? [] };
    const lifetimeSeconds = deps.getConfig().sessions.portalDuration;
    const portal = await deps.portalSessions.create(identity, lifetimeSeconds, {
      ...signIn.saml,
      ...(signIn.idToken === undefined ? {} : { idToken: signIn.idToken }),
    });
    return { outcome: 'signed-in', portal, lifetimeSeconds, next: nextStep(roles, returnTo) };
  };

  return {
    session: (portalCookie) => deps.portalSessions.get(portalCookie),

    async standing(portalCookie, context) {
      const portal = await deps.portalSessions.get(portalCookie);
      if (portal === undefined) return { outcome: 'signed-out' };
      const roles = await deps.federation.assumableRoles(portal.identity, context);
      return roles.length === 0 ? { outcome: 'no-role', portal } : { outcome: 'signed-in', portal, roles };
    },

    assumableRoles: (portal, context) => deps.federation.assumableRoles(portal.identity, context),

    async answerDeviceCode(portal, answer, context) {
      const device = deps.device;
      if (device === undefined) throw new FedgateError('NotFound', 'Device sign-in is not offered here.');
      const roles = await deps.federation.assumableRoles(portal.identity, context);
      if (answer.decision === 'approve' && !roles.some((candidate) => candidate.name === answer.roleName))
        throw new FedgateError('AccessDenied', 'That role does not trust your sign-in.');
      const result =
        answer.decision === 'deny'
          ? await device.deny({ userCode: answer.userCode, identity: portal.identity, context })
          : await device.approve({
              userCode: answer.userCode,
              identity: portal.identity,
              roleName: answer.roleName,
              notAfter: portal.expiresAt,
              context,
            });
      return result.ok
        ? { outcome: 'answered', roles }
        : { outcome: 'refused', reason: result.reason, roles };
    },

    async activeSession(portal, sessionCookie) {
      if (sessionCookie === undefined) return undefined;
      try {
        const session = await deps.sessions.verify(sessionCookie);
        if (session.portalSessionId !== portal.handle) return undefined;
        return { roleName: session.roleName, expiresAt: session.expiresAt, now: Math.floor(now() / 1000) };
      } catch {
        // An expired or revoked role session is simply not active; the page still shows the roles.
        return undefined;
      }
    },

    async rememberSignInStart(portalCookie, browserBinding, ttlSeconds) {
      const previous = await deps.portalSessions.get(portalCookie);
      if (previous !== undefined)
        await deps.portalSessions.rememberSignInStart(browserBinding, previous, ttlSeconds);
    },

    finishSignIn,

    finishSamlSignIn(login, signIn) {
      const {
        relayState: _relayState,
        sessionIndex,
        nameIdValue,
        initiatedBy: _initiatedBy,
        refusedTagAttributes,
        ...identity
      } = login;
      return finishSignIn({
        ...signIn,
        identity,
        saml: { nameIdValue, ...(sessionIndex === undefined ? {} : { sessionIndex }) },
        refusedTagAttributes,
      });
    },

    signInFailed(provider, error, context) {
      const known = error instanceof FedgateError ? error : undefined;
      deps.countLogin?.(provider, 'failure');
      deps.audit.record({
        event: 'login.failed',
        outcome: 'failure',
        provider,
        sourceIp: context.sourceIp,
        requestId: context.requestId,
        reason: known?.reason ?? known?.code ?? 'InternalError',
      });
      return known;
    },

    assume: (portal, roleName, durationSeconds, context) =>
      deps.federation.assume({
        identity: portal.identity,
        roleName,
        ...(durationSeconds === undefined ? {} : { durationSeconds }),
        portalSessionId: portal.handle,
        notAfter: portal.expiresAt,
        context,
      }),

    endSession: (portal, context) => retire(portal, 'logout', context),

    async idpLogoutUrl(portal, returnTo) {
      const providers = deps.getProviders();
      const provider = portal.identity.provider;
      const saml = providers.saml.get(provider);
      if (saml !== undefined && portal.nameIdValue !== undefined) {
        return saml.logoutRequestUrl(
          {
            ...portal.identity,
            nameIdValue: portal.nameIdValue,
            ...(portal.sessionIndex === undefined ? {} : { sessionIndex: portal.sessionIndex }),
          },
          returnTo ?? '',
        );
      }
      return providers.oidc.get(provider)?.endSessionUrl({
        postLogoutRedirectUri: `${deps.getConfig().publicUrl}/`,
        idTokenHint: deps.portalSessions.idTokenHint(portal),
      });
    },

    async subjectSignedOut(provider, nameIdValue, context) {
      await deps.portalSessions.revokeSubject(provider, nameIdValue);
      await deps.sessions.revokeSubject(nameIdValue, provider);
      deps.audit.record({
        event: 'session.revoked',
        outcome: 'success',
        provider,
        subject: nameIdValue,
        sourceIp: context.sourceIp,
        requestId: context.requestId,
        reason: 'IdpLogout',
      });
    },
  };
}

/** Throws CsrfTokenInvalid unless `presented` is the portal session's synchroniser token. */
export function requirePortalCsrfToken(portal: PortalSession, presented: unknown): void {
  const expected = Buffer.from(portal.csrfToken);
  const given = Buffer.from(typeof presented === 'string' ? presented : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new FedgateError(
      'CsrfTokenInvalid',
      'The form expired or did not come from this portal; reload the page',
    );
  }
}

/** True for the device verification page, with or without its `user_code`. */
export function isDeviceVerificationPage(path: string): boolean {
  return path === DEVICE_VERIFICATION_PATH || path.startsWith(`${DEVICE_VERIFICATION_PATH}?`);
}

function nextStep(roles: readonly RoleChoice[], returnTo: string | undefined): SignInNextStep {
  // A sign-in started from the device verification page goes back to it: the role is picked there.
  if (returnTo !== undefined && isDeviceVerificationPage(returnTo))
    return { step: 'device-verification', returnTo };
  const only = roles.length === 1 ? roles[0] : undefined;
  if (only !== undefined) return { step: 'assume-only-role', roleName: only.name, returnTo };
  return { step: 'choose-role', returnTo };
}
