import type { Express, Request, Response } from 'express';
import type { GatewayConfig } from '../config/index.js';
import type { FederatedIdentity } from '../federation/federated-identity.js';
import type { ProviderRegistry } from '../identity-providers/provider-registry.js';
import { SESSION_COOKIE } from '../sessions/index.js';
import { PostedSamlMessage, type SamlLogin } from '../identity-providers/saml/index.js';
import { NAME_PATTERN } from '../catalog/names.js';
import { FedgateError } from '../errors/index.js';
import {
  PORTAL_SCRIPT,
  confirmSignInPage,
  credentialsPage,
  deviceAnsweredPage,
  deviceVerificationPage,
  errorPage,
  noRolePage,
  portalBrand,
  renderPortalPage,
  requirePortalCsrfToken,
  rolesPage,
  safeReturnTo,
  signInPage,
  type FinishedSignIn,
  type IdentitySummary,
  type PortalCredential,
  type PortalFlow,
  type PortalPage,
  type PortalRequestContext,
  type PortalSession,
  type PortalStanding,
} from '../portal/index.js';
import { clearCookie, parseCookies, setCookie, type CookieRules } from './cookies.js';
import type { RouteMount } from './create-app.js';
import { formRecord, splitForm } from './form-fields.js';
import { toFedgateError } from './problem.js';
import { DEVICE_VERIFICATION_PATH, type DeviceAuthorizationService } from '../device-authorization/index.js';
import { awsTimestamp } from '../sts/index.js';

/** The portal session cookie (SPEC 4.2). */
export const PORTAL_COOKIE = 'fedgate_portal';
/** Binds an OIDC login to the browser that started it. */
const OIDC_BINDING_COOKIE = 'fedgate_oidc';
const OIDC_BINDING_SECONDS = 600;
/** Binds an SP-initiated SAML login to the browser that started it (sent back on the IdP's cross-site POST). */
const SAML_BINDING_COOKIE = 'fedgate_saml';
/** Proves an IdP-initiated SAML login is confirmed from the browser it landed in. */
const SAML_CONFIRM_COOKIE = 'fedgate_saml_confirm';
const SAML_BINDING_SECONDS = 900;
/** The assertion consumer (HTTP-POST binding). */
const SAML_ACS_PATH = '/saml/:idp/acs';
const ACS_ENCODED_FIELDS: ReadonlySet<string> = new Set(['SAMLResponse']);
const SAML_CONFIRM_SECONDS = 300;

/** What the portal routes need from the composition root. */
export interface PortalDependencies {
  readonly getConfig: () => GatewayConfig;
  readonly getProviders: () => ProviderRegistry;
  /** The portal's flow: the routes parse the request, call it and render its result. */
  readonly flow: PortalFlow;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** The device authorization grant's verification page (`/device`); not mounted without it. */
  readonly device?: Pick<DeviceAuthorizationService, 'pending'>;
}

/** Mounts the SSO portal (SPEC 4.2): sign-in, SAML/OIDC callbacks, role choice, credentials, sign-out. */
export function portalRoutes(deps: PortalDependencies): RouteMount {
  const now = deps.now ?? Date.now;
  const cookieRules = (): CookieRules => {
    const cookies = deps.getConfig().cookies;
    return { secure: cookies.secure, domain: cookies.domain };
  };
  const returnToFrom = (value: unknown): string | undefined => {
    const config = deps.getConfig();
    return safeReturnTo(value, config.publicUrl, config.portal.allowedReturnHosts);
  };
  const context = (req: Request): PortalRequestContext => ({ sourceIp: req.ip ?? '', requestId: req.id });
  const portalCookieOf = (req: Request): string | undefined =>
    parseCookies(req.headers.cookie)[PORTAL_COOKIE];
  const currentPortalSession = (req: Request): Promise<PortalSession | undefined> =>
    deps.flow.session(portalCookieOf(req));

  const sendHtml = (res: Response, status: number, page: string | PortalPage): void => {
    res.status(status).setHeader('Cache-Control', 'no-store');
    res
      .type('html')
      .send(typeof page === 'string' ? page : renderPortalPage(page, portalBrand(deps.getConfig().portal)));
  };

  /**
   * A refused browser form post gets a page, not a problem+json body the person cannot act on; JSON callers
   * (`/portal/credentials` with a JSON body) still get problem+json from the error handler.
   */
  const formAction =
    (handler: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        await handler(req, res);
      } catch (error) {
        if (!(error instanceof FedgateError) || !isFormPost(req) || res.headersSent) throw error;
        sendHtml(res, error.status, errorPage(refusalTitle(error), error.detail, error.code));
      }
    };

  const loginFailed = (req: Request, res: Response, provider: string, error: unknown): void => {
    const known = deps.flow.signInFailed(provider, error, context(req));
    if (known === undefined) throw error;
    sendHtml(res, known.status, errorPage('Sign-in failed', known.detail, known.code));
  };

  const rememberSignInStart = (req: Request, browserBinding: string, ttlSeconds: number): Promise<void> =>
    deps.flow.rememberSignInStart(portalCookieOf(req), browserBinding, ttlSeconds);

  /** Renders the end of a verified sign-in: the no-role page, or the portal cookie and where to go next. */
  const renderSignIn = async (req: Request, res: Response, finished: FinishedSignIn): Promise<void> => {
    if (finished.outcome === 'no-role') {
      sendHtml(
        res,
        403,
        noRolePage(summaryOf(finished.identity, deps.getConfig()), finished.refusedTagAttributes),
      );
      return;
    }
    const { portal, next } = finished;
    setCookie(res, PORTAL_COOKIE, portal.id, cookieRules(), { maxAgeSeconds: finished.lifetimeSeconds });
    switch (next.step) {
      case 'device-verification':
        res.redirect(303, next.returnTo);
        return;
      case 'assume-only-role': {
        const credential = await deps.flow.assume(portal, next.roleName, undefined, context(req));
        setSessionCookie(res, credential);
        res.redirect(303, next.returnTo ?? '/');
        return;
      }
      case 'choose-role':
        res.redirect(
          303,
          next.returnTo === undefined ? '/' : `/?return_to=${encodeURIComponent(next.returnTo)}`,
        );
    }
  };

  const finishSamlLogin = async (
    req: Request,
    res: Response,
    login: SamlLogin,
    browserBinding?: string,
  ): Promise<void> => {
    const finished = await deps.flow.finishSamlSignIn(login, {
      returnTo: returnToFrom(login.relayState),
      portalCookie: portalCookieOf(req),
      browserBinding,
      context: context(req),
    });
    await renderSignIn(req, res, finished);
  };

  const setSessionCookie = (res: Response, credential: PortalCredential): void => {
    const maxAgeSeconds = Math.max(1, Math.floor(credential.expiresAt - now() / 1000));
    setCookie(res, SESSION_COOKIE, credential.token, cookieRules(), { maxAgeSeconds });
  };

  /**
   * The browser's portal session and the roles it may assume; otherwise the sign-in page (coming back to
   * `returnTo`) or the no-role page is sent and undefined returned.
   */
  const signedInWithRoles = async (
    req: Request,
    res: Response,
    returnTo: string | undefined,
  ): Promise<Extract<PortalStanding, { outcome: 'signed-in' }> | undefined> => {
    const standing = await deps.flow.standing(portalCookieOf(req), context(req));
    switch (standing.outcome) {
      case 'signed-out':
        sendHtml(res, 200, signInPage(deps.getProviders().browserProviders, returnTo));
        return undefined;
      case 'no-role':
        sendHtml(res, 403, noRolePage(summaryOf(standing.portal.identity, deps.getConfig())));
        return undefined;
      case 'signed-in':
        return standing;
    }
  };

  const mount = (app: Express): void => {
    app.get('/', async (req, res) => {
      const returnTo = returnToFrom(req.query.return_to);
      const signedIn = await signedInWithRoles(req, res, returnTo);
      if (signedIn === undefined) return;
      const { portal, roles } = signedIn;
      sendHtml(
        res,
        200,
        rolesPage({
          summary: summaryOf(portal.identity, deps.getConfig()),
          roles,
          csrfToken: portal.csrfToken,
          returnTo,
          active: await deps.flow.activeSession(portal, parseCookies(req.headers.cookie)[SESSION_COOKIE]),
        }),
      );
    });

    app.get('/portal/portal.js', (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.type('text/javascript').send(PORTAL_SCRIPT);
    });

    app.get('/login', (req, res) => {
      const returnTo = returnToFrom(req.query.return_to);
      const providers = deps.getProviders().browserProviders;
      const only = providers.length === 1 ? providers[0] : undefined;
      if (only !== undefined) {
        const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
        res.redirect(302, `/login/${encodeURIComponent(only.id)}${query}`);
        return;
      }
      sendHtml(res, 200, signInPage(providers, returnTo));
    });

    app.get('/login/:idp', async (req, res) => {
      const id = String(req.params.idp);
      const returnTo = returnToFrom(req.query.return_to);
      const providers = deps.getProviders();
      const saml = providers.saml.get(id);
      if (saml !== undefined) {
        // RelayState carries return_to; it is checked again when it comes back, as an IdP could alter it.
        const { url, browserBinding } = await saml.beginLogin(returnTo ?? '');
        await rememberSignInStart(req, browserBinding, SAML_BINDING_SECONDS);
        setCookie(res, SAML_BINDING_COOKIE, browserBinding, cookieRules(), {
          maxAgeSeconds: SAML_BINDING_SECONDS,
          path: `/saml/${id}/`,
          crossSitePost: true,
        });
        res.redirect(302, url);
        return;
      }
      const oidc = providers.oidc.get(id);
      if (oidc !== undefined) {
        const { authorizationUrl, browserBinding } = await oidc.beginLogin(
          returnTo === undefined ? {} : { returnTo },
        );
        await rememberSignInStart(req, browserBinding, OIDC_BINDING_SECONDS);
        setCookie(res, OIDC_BINDING_COOKIE, browserBinding, cookieRules(), {
          maxAgeSeconds: OIDC_BINDING_SECONDS,
          path: `/oidc/${id}/`,
        });
        res.redirect(302, authorizationUrl);
        return;
      }
      sendHtml(
        res,
        404,
        errorPage('Unknown identity provider', 'There is no identity provider of that name.'),
      );
    });

    app.post(SAML_ACS_PATH, async (req, res) => {
      const id = String(req.params.idp);
      const saml = deps.getProviders().saml.get(id);
      if (saml === undefined) {
        sendHtml(res, 404, errorPage('Unknown identity provider', 'There is no SAML provider of that name.'));
        return;
      }
      const binding = parseCookies(req.headers.cookie)[SAML_BINDING_COOKIE];
      let result;
      try {
        result = await saml.consumeResponse(acsForm(req), binding);
      } catch (error) {
        loginFailed(req, res, id, error);
        return;
      }
      if (result.initiatedBy === 'idp') {
        // Unsolicited: nothing ties it to this browser, so the person confirms whom they become (README, SAML).
        const { handle, confirmation } = await saml.holdUnconfirmedLogin(result);
        setCookie(res, SAML_CONFIRM_COOKIE, confirmation, cookieRules(), {
          maxAgeSeconds: SAML_CONFIRM_SECONDS,
          path: `/saml/${id}/`,
        });
        const provider = deps.getProviders().browserProviders.find((candidate) => candidate.id === id);
        sendHtml(
          res,
          200,
          confirmSignInPage({
            providerName: provider?.displayName ?? id,
            subject: result.subject,
            action: `/saml/${encodeURIComponent(id)}/confirm`,
            handle,
          }),
        );
        return;
      }
      clearCookie(res, SAML_BINDING_COOKIE, cookieRules(), `/saml/${id}/`);
      await finishSamlLogin(req, res, result, binding);
    });

    /** The interstitial's answer: a same-origin POST from the browser holding the confirmation cookie. */
    app.post('/saml/:idp/confirm', async (req, res) => {
      const id = String(req.params.idp);
      const saml = deps.getProviders().saml.get(id);
      if (saml === undefined) {
        sendHtml(res, 404, errorPage('Unknown identity provider', 'There is no SAML provider of that name.'));
        return;
      }
      const confirmation = parseCookies(req.headers.cookie)[SAML_CONFIRM_COOKIE];
      clearCookie(res, SAML_CONFIRM_COOKIE, cookieRules(), `/saml/${id}/`);
      let result;
      try {
        if (!isSameOrigin(req, deps.getConfig().publicUrl)) throw samlConfirmationRefused();
        result = await saml.confirmLogin(((req.body ?? {}) as Record<string, unknown>).handle, confirmation);
      } catch (error) {
        loginFailed(req, res, id, error);
        return;
      }
      await finishSamlLogin(req, res, result);
    });

    // A form over the body limit never reaches the route: audit it as the failed sign-in it is.
    app.use(SAML_ACS_PATH, (error: unknown, req: Request, res: Response, next: (error?: unknown) => void) => {
      const known = toFedgateError(error);
      if (known.code !== 'PayloadTooLarge' || res.headersSent) {
        next(error);
        return;
      }
      loginFailed(
        req,
        res,
        String(req.params.idp),
        new FedgateError('PayloadTooLarge', 'The SAML message is too large.', {
          reason: 'message-too-large',
        }),
      );
    });

    app.get('/saml/:idp/metadata', (req, res) => {
      const saml = deps.getProviders().saml.get(String(req.params.idp));
      if (saml === undefined) throw new FedgateError('NotFound', 'There is no SAML provider of that name');
      res.type('application/samlmetadata+xml').send(saml.metadataXml());
    });

    const singleLogout = async (req: Request, res: Response): Promise<void> => {
      const id = String(req.params.idp);
      const saml = deps.getProviders().saml.get(id);
      if (saml === undefined) throw new FedgateError('NotFound', 'There is no SAML provider of that name');
      const rawQuery = req.originalUrl.includes('?')
        ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1)
        : '';
      const outcome = await saml.handleLogout(
        req.method === 'GET'
          ? { binding: 'redirect', query: req.query as Record<string, unknown>, rawQuery }
          : { binding: 'post', form: (req.body ?? {}) as Record<string, unknown> },
      );
      const portal = await currentPortalSession(req);
      if (portal !== undefined) await endPortalSession(req, res, portal);
      if (outcome.kind === 'logout-response') {
        // The RelayState we sent with our LogoutRequest; the IdP could have altered it, so it is checked again.
        res.redirect(303, returnToFrom(outcome.relayState) ?? '/');
        return;
      }
      // The IdP ended the subject's session there: end every portal and role session of that subject here.
      await deps.flow.subjectSignedOut(id, outcome.nameIdValue, context(req));
      res.redirect(302, (await outcome.respond(true)) ?? '/');
    };
    app.get('/saml/:idp/slo', singleLogout);
    app.post('/saml/:idp/slo', singleLogout);

    app.get('/oidc/:idp/callback', async (req, res) => {
      const id = String(req.params.idp);
      const oidc = deps.getProviders().oidc.get(id);
      if (oidc === undefined) {
        sendHtml(res, 404, errorPage('Unknown identity provider', 'There is no OIDC provider of that name.'));
        return;
      }
      const binding = parseCookies(req.headers.cookie)[OIDC_BINDING_COOKIE];
      clearCookie(res, OIDC_BINDING_COOKIE, cookieRules(), `/oidc/${id}/`);
      let result;
      try {
        result = await oidc.completeLogin(new URL(req.originalUrl, deps.getConfig().publicUrl), binding);
      } catch (error) {
        loginFailed(req, res, id, error);
        return;
      }
      const finished = await deps.flow.finishSignIn({
        identity: result.identity,
        returnTo: returnToFrom(result.returnTo),
        portalCookie: portalCookieOf(req),
        browserBinding: binding,
        idToken: result.idToken,
        context: context(req),
      });
      await renderSignIn(req, res, finished);
    });

    app.post(
      '/portal/assume',
      formAction(async (req, res) => {
        const portal = await currentPortalSession(req);
        if (portal === undefined) {
          res.redirect(303, '/');
          return;
        }
        const body = (req.body ?? {}) as Record<string, unknown>;
        requirePortalCsrfToken(portal, body.csrf);
        const role = requireRoleName(body.role);
        setSessionCookie(res, await deps.flow.assume(portal, role, undefined, context(req)));
        res.redirect(303, returnToFrom(body.return_to) ?? '/');
      }),
    );

    /** The signed-in identity, its roles and the CSRF token, for a CLI that drives `/portal/credentials`. */
    app.get('/portal/session', async (req, res) => {
      const portal = await currentPortalSession(req);
      res.setHeader('Cache-Control', 'no-store');
      if (portal === undefined)
        throw new FedgateError('InvalidToken', 'Sign in at the portal first', { status: 401 });
      const roles = await deps.flow.assumableRoles(portal, context(req));
      res.json({
        provider: portal.identity.provider,
        subject: portal.identity.subject,
        groups: portal.identity.groups,
        mfa: portal.identity.mfa,
        expiration: new Date(portal.expiresAt * 1000).toISOString(),
        roles,
        csrfToken: portal.csrfToken,
      });
    });

    app.post(
      '/portal/credentials',
      formAction(async (req, res) => {
        const portal = await currentPortalSession(req);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const isForm = isFormPost(req);
        if (portal === undefined) {
          if (isForm) {
            res.redirect(303, '/');
            return;
          }
          throw new FedgateError('InvalidToken', 'Sign in at the portal first', { status: 401 });
        }
        requirePortalCsrfToken(portal, isForm ? body.csrf : req.get('x-csrf-token'));
        const role = requireRoleName(body.role);
        const durationSeconds = optionalDuration(body.durationSeconds);
        const { response: credentials } = await deps.flow.assume(portal, role, durationSeconds, context(req));
        res.setHeader('Cache-Control', 'no-store');
        if (!isForm) {
          res.json(credentials);
          return;
        }
        sendHtml(
          res,
          200,
          credentialsPage({
            endpointUrl: deps.getConfig().publicUrl,
            summary: summaryOf(portal.identity, deps.getConfig()),
            csrfToken: portal.csrfToken,
            credentials: {
              roleName: role,
              accessKeyId: credentials.Credentials.AccessKeyId,
              secretAccessKey: credentials.Credentials.SecretAccessKey,
              sessionToken: credentials.Credentials.SessionToken,
              expiration: credentials.Credentials.Expiration,
              principalArn: credentials.AssumedRoleUser.Arn,
            },
          }),
        );
      }),
    );

    const device = deps.device;
    if (device !== undefined) {
      /** RFC 8628 §3.3: the verification page; a person not signed in signs in first and comes back here. */
      app.get(DEVICE_VERIFICATION_PATH, async (req, res) => {
        const typed = typeof req.query.user_code === 'string' ? req.query.user_code : '';
        const request = await device.pending(typed);
        const back =
          request === undefined
            ? DEVICE_VERIFICATION_PATH
            : `${DEVICE_VERIFICATION_PATH}?user_code=${request.userCode}`;
        const signedIn = await signedInWithRoles(req, res, back);
        if (signedIn === undefined) return;
        const { portal, roles } = signedIn;
        sendHtml(
          res,
          200,
          deviceVerificationPage({
            summary: summaryOf(portal.identity, deps.getConfig()),
            csrfToken: portal.csrfToken,
            roles,
            userCode: request?.userCode ?? '',
            request: request === undefined ? undefined : deviceRequestView(request),
          }),
        );
      });

      app.post(
        DEVICE_VERIFICATION_PATH,
        formAction(async (req, res) => {
          const portal = await currentPortalSession(req);
          if (portal === undefined) {
            res.redirect(303, DEVICE_VERIFICATION_PATH);
            return;
          }
          const body = (req.body ?? {}) as Record<string, unknown>;
          requirePortalCsrfToken(portal, body.csrf);
          const summary = summaryOf(portal.identity, deps.getConfig());
          const role = body.decision === 'deny' ? undefined : requireRoleName(body.role);
          const answer = await deps.flow.answerDeviceCode(
            portal,
            role === undefined
              ? { decision: 'deny', userCode: body.user_code }
              : { decision: 'approve', userCode: body.user_code, roleName: role },
            context(req),
          );
          if (answer.outcome === 'refused') {
            sendHtml(
              res,
              400,
              deviceVerificationPage({
                summary,
                csrfToken: portal.csrfToken,
                roles: answer.roles,
                userCode: typeof body.user_code === 'string' ? body.user_code.slice(0, 12) : '',
                selectedRole: role,
                problem:
                  answer.reason === 'AlreadyAnswered'
                    ? 'This code has already been answered. Run fedgate login again for a new one.'
                    : 'That code is not one waiting for an answer: check it against your terminal, or run fedgate login again if it has expired.',
              }),
            );
            return;
          }
          sendHtml(
            res,
            200,
            deviceAnsweredPage({
              summary,
              csrfToken: portal.csrfToken,
              roleName: role,
              signInEnds: new Date(portal.expiresAt * 1000).toISOString(),
            }),
          );
        }),
      );
    }

    /** Revokes the portal session and every role session minted from it, and clears the cookies. */
    const endPortalSession = async (req: Request, res: Response, portal: PortalSession): Promise<void> => {
      await deps.flow.endSession(portal, context(req));
      clearCookie(res, PORTAL_COOKIE, cookieRules());
      clearCookie(res, SESSION_COOKIE, cookieRules());
    };

    app.post(
      '/logout',
      formAction(async (req, res) => {
        const portal = await currentPortalSession(req);
        const body = (req.body ?? {}) as Record<string, unknown>;
        const returnTo = returnToFrom(body.return_to);
        if (portal === undefined) {
          clearCookie(res, SESSION_COOKIE, cookieRules());
          res.redirect(303, returnTo ?? '/');
          return;
        }
        requirePortalCsrfToken(portal, body.csrf);
        await endPortalSession(req, res, portal);
        const idpLogout = await deps.flow.idpLogoutUrl(portal, returnTo);
        res.redirect(303, idpLogout ?? returnTo ?? '/');
      }),
    );
  };
  // The ACS form is split here (splitForm), so its SAMLResponse is decoded in a verification worker.
  return Object.assign(mount, { rawFormPaths: [SAML_ACS_PATH] });
}

/**
 * True when the browser says the request comes from our own origin: `Origin` (sent by browsers on every
 * form POST), else `Sec-Fetch-Site`. A request saying neither is not trusted.
 */
function isSameOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.get('origin');
  if (origin !== undefined) return origin === new URL(publicUrl).origin;
  return req.get('sec-fetch-site') === 'same-origin';
}

function deviceRequestView(request: { userCode: string; requestedAt: number; sourceIp: string }): {
  userCode: string;
  requestedAt: string;
  sourceIp: string;
} {
  return {
    userCode: request.userCode,
    requestedAt: awsTimestamp(new Date(request.requestedAt)),
    sourceIp: request.sourceIp,
  };
}

function samlConfirmationRefused(): FedgateError {
  return new FedgateError(
    'InvalidSamlResponse',
    'The sign-in confirmation expired or came from another site; sign in again.',
    {
      reason: 'unconfirmed-login',
    },
  );
}

/**
 * The ACS's fields: from a form body (read raw, see RouteMount.rawFormPaths) the SAMLResponse is handed on
 * still form-encoded, a PostedSamlMessage; any other body as its parser left it.
 */
function acsForm(req: Request): Record<string, unknown> {
  if (!Buffer.isBuffer(req.body)) return (req.body ?? {}) as Record<string, unknown>;
  const form = formRecord(splitForm(req.body, { keepEncoded: ACS_ENCODED_FIELDS }));
  const response = form['SAMLResponse'];
  return {
    ...form,
    ...(response instanceof Uint8Array ? { SAMLResponse: PostedSamlMessage.fromFormValue(response) } : {}),
  };
}

/** A browser form post (or a bodiless POST, which no JSON client sends): answered with pages. */
function isFormPost(req: Request): boolean {
  return req.is('application/x-www-form-urlencoded') !== false;
}

function refusalTitle(error: FedgateError): string {
  switch (error.code) {
    case 'CsrfTokenInvalid':
      return 'The form expired';
    case 'AccessDenied':
      return 'Not allowed';
    default:
      return 'Request refused';
  }
}

function summaryOf(identity: FederatedIdentity, config: GatewayConfig): IdentitySummary {
  const provider = config.identityProviders.find((candidate) => candidate.id === identity.provider);
  return {
    provider: identity.provider,
    providerName: provider?.displayName ?? identity.provider,
    subject: identity.subject,
    groups: identity.groups,
    mfa: identity.mfa,
  };
}

function requireRoleName(value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw new FedgateError('ValidationError', 'role must be a role name');
  }
  return value;
}

function optionalDuration(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) {
    throw new FedgateError('ValidationError', 'durationSeconds must be an integer number of seconds');
  }
  return seconds;
}
