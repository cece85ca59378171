import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { FedgateError } from '../../errors/index.js';
import type { FederatedIdentity } from '../../federation/federated-identity.js';
import type { Store } from '../../store/index.js';
import { claimsToIdentity } from './claims-to-identity.js';
import { LoginStateStore, newBrowserBinding } from './login-state-store.js';
import { oidcLoginError, safeOAuthErrorCode, translateOidcClientError } from './oidc-login-errors.js';
import { assertOidcProviderOptions } from './oidc-provider-options.js';
import type { OidcProviderOptions } from './oidc-provider-options.js';
import { isLoopbackHttp } from './signing-algorithms.js';

/** Seconds every outbound call to the IdP (discovery, token, JWKS, userinfo) may take. */
export const OIDC_HTTP_TIMEOUT_SECONDS = 10;

/** Allowed clock difference with the IdP for ID token `exp`/`iat`/`nbf`, seconds. */
export const OIDC_CLOCK_TOLERANCE_SECONDS = 60;

/** Dependencies of a relying party. */
export interface OidcRelyingPartyDeps {
  readonly store: Store;
  /** Epoch milliseconds; defaults to Date.now. */
  readonly now?: () => number;
}

/** What beginLogin returns: where to send the browser, and the value for its short-lived HttpOnly cookie. */
export interface BeginLoginResult {
  readonly authorizationUrl: string;
  /** Opaque; the caller puts it in a short-lived HttpOnly cookie and passes it back to completeLogin. */
  readonly browserBinding: string;
}

/**
 * A completed login, and the verified ID token apart from the identity: the portal keeps it only encrypted, to
 * send as `id_token_hint` when the person signs out (OpenID RP-Initiated Logout 1.0); it is never logged.
 */
export interface CompletedOidcLogin {
  readonly identity: FederatedIdentity;
  readonly returnTo?: string;
  readonly idToken: string;
}

const BINDING_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * The OIDC relying party for one provider: authorization code flow with PKCE (S256), `state` bound to the
 * browser and single-use in the store, `nonce`, RFC 9207 `iss`, and the ID token signature checked against
 * the provider's JWKS even though it came over TLS from the token endpoint (non-repudiation checks), so a
 * re-signed or forged ID token is refused. No web framework here: the HTTP layer passes URLs and cookies.
 */
export class OidcRelyingParty {
  /** The configured provider id. */
  readonly id: string;
  readonly #options: OidcProviderOptions;
  readonly #now: () => number;
  readonly #states: LoginStateStore;
  #config: oidc.Configuration | undefined;
  #discovering: Promise<oidc.Configuration> | undefined;

  private constructor(options: OidcProviderOptions, deps: OidcRelyingPartyDeps) {
    this.id = options.id;
    this.#options = {
      ...options,
      scopes: [...options.scopes],
      allowedAlgorithms: [...options.allowedAlgorithms],
    };
    this.#now = deps.now ?? Date.now;
    this.#states = new LoginStateStore(deps.store, options.id);
  }

  /**
   * Validates the options and starts discovery in the background without waiting for it: an unreachable
   * IdP neither fails nor delays start-up, and a failed discovery is retried by the next login.
   */
  static async create(options: OidcProviderOptions, deps: OidcRelyingPartyDeps): Promise<OidcRelyingParty> {
    assertOidcProviderOptions(options);
    const relyingParty = new OidcRelyingParty(options, deps);
    relyingParty.#configuration().catch(() => undefined);
    return relyingParty;
  }

  /** True once the provider's metadata has been discovered. */
  get discovered(): boolean {
    return this.#config !== undefined;
  }

  #configuration(): Promise<oidc.Configuration> {
    if (this.#config !== undefined) return Promise.resolve(this.#config);
    this.#discovering ??= this.#discover().then(
      (config) => {
        this.#config = config;
        return config;
      },
      (error: unknown) => {
        this.#discovering = undefined;
        throw new FedgateError('ServiceUnavailable', 'The identity provider cannot be reached.', {
          reason: 'discovery-failed',
          cause: error,
        });
      },
    );
    return this.#discovering;
  }

  async #discover(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret, allowedAlgorithms } = this.#options;
    const server = new URL(issuer);
    const metadata: Partial<oidc.ClientMetadata> = {
      [oidc.clockTolerance]: OIDC_CLOCK_TOLERANCE_SECONDS,
      // With one algorithm the library enforces it itself; with several we check the header after the exchange.
      ...(allowedAlgorithms.length === 1 ? { id_token_signed_response_alg: allowedAlgorithms[0] } : {}),
      ...(clientSecret === undefined ? {} : { client_secret: clientSecret }),
    };
    const execute = [oidc.enableNonRepudiationChecks];
    if (isLoopbackHttp(server)) execute.push(oidc.allowInsecureRequests);
    const clientAuth = clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(clientSecret);
    return oidc.discovery(server, clientId, metadata, clientAuth, {
      execute,
      timeout: OIDC_HTTP_TIMEOUT_SECONDS,
    });
  }

  /**
   * Starts a login: stores state, nonce and PKCE verifier bound to the browser, and returns the IdP URL.
   * Pass the browser's current binding (if any) so parallel logins in two tabs both complete.
   */
  async beginLogin(input: { returnTo?: string; browserBinding?: string }): Promise<BeginLoginResult> {
    const config = await this.#configuration();
    const browserBinding =
      input.browserBinding !== undefined && BINDING_SHAPE.test(input.browserBinding)
        ? input.browserBinding
        : newBrowserBinding();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    await this.#states.save(state, browserBinding, {
      nonce,
      codeVerifier,
      ...(input.returnTo === undefined ? {} : { returnTo: input.returnTo }),
    });
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.#options.redirectUri,
      scope: this.#options.scopes.join(' '),
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl: authorizationUrl.href, browserBinding };
  }

  /**
   * Completes a login from the callback URL and the browser's binding cookie. Refusals are
   * FedgateError('InvalidOidcResponse') with a stable `reason` (see OidcLoginFailureReason).
   */
  async completeLogin(callbackUrl: URL, browserBinding: string | undefined): Promise<CompletedOidcLogin> {
    const params = callbackUrl.searchParams;
    const state = params.get('state');
    if (state === null || state === '') throw oidcLoginError('state-mismatch');
    if (browserBinding === undefined || browserBinding === '')
      throw oidcLoginError('missing-browser-binding');
    const config = await this.#configuration();

    const taken = await this.#states.take(state, browserBinding);
    if (!taken.ok) throw oidcLoginError(taken.reason);
    const { login } = taken;

    // RFC 9207 (mix-up defence): checked here as well so the reason is exact, not inferred from a library message.
    const server = config.serverMetadata();
    const iss = params.get('iss');
    if (
      iss === null ? server.authorization_response_iss_parameter_supported === true : iss !== server.issuer
    ) {
      throw oidcLoginError('iss-mismatch');
    }
    const error = params.get('error');
    if (error !== null) {
      const extra = safeOAuthErrorCode(error);
      throw oidcLoginError('idp-error', extra === undefined ? {} : { extra });
    }

    // The configured redirect URI, not the URL the request arrived on, is what the IdP compares (proxies rewrite hosts).
    const currentUrl = new URL(this.#options.redirectUri);
    currentUrl.search = callbackUrl.search;

    let claims: Record<string, unknown>;
    let idToken: string | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: login.codeVerifier,
        expectedNonce: login.nonce,
        expectedState: state,
        idTokenExpected: true,
      });
      idToken = tokens.id_token;
      const idClaims = tokens.claims();
      if (idToken === undefined || idClaims === undefined) throw oidcLoginError('invalid-id-token');
      const { alg } = decodeProtectedHeader(idToken);
      if (alg === undefined || !this.#options.allowedAlgorithms.includes(alg))
        throw oidcLoginError('alg-not-allowed');
      claims = { ...idClaims };
      if (this.#options.userinfo) {
        const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        // The signed ID token wins over userinfo for any claim both carry.
        claims = { ...userinfo, ...idClaims };
      }
    } catch (caught) {
      throw translateOidcClientError(caught);
    }

    const identity = claimsToIdentity({
      provider: this.#options.id,
      issuer: server.issuer,
      audience: this.#options.clientId,
      claims,
      mappings: {
        subject: this.#options.subject,
        groups: this.#options.groups,
        sessionName: this.#options.sessionName,
        tags: this.#options.tags,
      },
      nowSeconds: Math.floor(this.#now() / 1000),
      rejectAs: 'InvalidOidcResponse',
    });
    if (idToken === undefined) throw oidcLoginError('invalid-id-token');
    return { identity, idToken, ...(login.returnTo === undefined ? {} : { returnTo: login.returnTo }) };
  }

  /**
   * The IdP's RP-initiated logout URL, or undefined when it has none (or is not discovered yet): `client_id`
   * always, and the sign-in's ID token as `id_token_hint` when the portal still has it (some IdPs require it,
   * others ask the person to confirm without it).
   */
  endSessionUrl(input: {
    postLogoutRedirectUri: string;
    idTokenHint?: string | undefined;
  }): string | undefined {
    const config = this.#config;
    if (config === undefined || config.serverMetadata().end_session_endpoint === undefined) return undefined;
    return oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: input.postLogoutRedirectUri,
      client_id: this.#options.clientId,
      ...(input.idTokenHint === undefined ? {} : { id_token_hint: input.idTokenHint }),
    }).href;
  }
}
