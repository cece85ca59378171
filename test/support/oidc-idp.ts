import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JWK } from 'jose';

/** A user of the test IdP; the key of `accounts` is its `sub`. */
export interface TestOidcAccount {
  /** Defaults to `password`. */
  readonly password?: string;
  /** Authentication methods the login records, e.g. `['pwd', 'mfa']`. */
  readonly amr?: readonly string[];
  readonly acr?: string;
  /** Claims released with the `openid` scope (in the ID token and at userinfo). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A relying party registered at the test IdP. */
export interface TestOidcClient {
  readonly clientId: string;
  /** Omit for a public client (`token_endpoint_auth_method: none`). */
  readonly clientSecret?: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  /** Defaults to RS256. */
  readonly idTokenSignedResponseAlg?: 'RS256' | 'ES256';
}

/** Options of startTestOidcIdp. */
export interface TestOidcIdpOptions {
  readonly clients: readonly TestOidcClient[];
  readonly accounts: Readonly<Record<string, TestOidcAccount>>;
  /** Loopback port; 0 (default) picks a free one. */
  readonly port?: number;
  /**
   * Account claims in the ID token too (default true), as most IdPs do. False releases them with the
   * `profile` scope at userinfo only (the RP must request `profile`).
   */
  readonly claimsInIdToken?: boolean;
  /** Grant every requested scope without a consent page (default false: a consent page is shown). */
  readonly skipConsent?: boolean;
  /** Wraps each interaction page's title and body into a whole HTML page (the demo brands its IdP). */
  readonly renderPage?: (title: string, body: string) => string;
  /** HTML shown under the sign-in form (the demo lists its users there). */
  readonly loginFooter?: string;
}

/** How issueIdToken signs. */
export interface IssueIdTokenOptions {
  readonly aud: string | readonly string[];
  /** One of the IdP's keys (see `kids`); defaults to the first key of `alg`. */
  readonly kid?: string;
  /** RS256 (default) or ES256. */
  readonly alg?: 'RS256' | 'ES256';
  /** Seconds from `iat` to `exp`; default 300. */
  readonly expiresIn?: number;
  /** `iat` in epoch seconds; default now. */
  readonly issuedAt?: number;
}

/** What the HTTP login automation does at the IdP. */
export interface TestLoginInput {
  readonly username: string;
  /** Defaults to the account's password. */
  readonly password?: string;
  /** Press "Cancel" on the login page: the IdP answers `error=access_denied`. */
  readonly deny?: boolean;
}

/** Rewrites the JSON body of a successful token endpoint response (to simulate a hostile or broken IdP). */
export type TokenResponseHook = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** A running in-process OpenID provider (npm `oidc-provider`) on a loopback port. */
export interface TestOidcIdp {
  /** `http://127.0.0.1:<port>`. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Key ids of the published signing keys, by algorithm. */
  readonly kids: { readonly RS256: string; readonly ES256: string };
  /** The public JWKS currently published. */
  jwks(): { keys: JWK[] };
  /** How many times the JWKS was fetched (to prove refetch and its rate limit). */
  jwksRequests(): number;
  /** Signs a JWT with the IdP's own keys: `{ iss, aud, iat, exp, ...claims }` (claims win). */
  issueIdToken(claims: Readonly<Record<string, unknown>>, options: IssueIdTokenOptions): Promise<string>;
  /** Generates a key, publishes it in the JWKS and lets issueIdToken use it; returns its kid. */
  addSigningKey(alg?: 'RS256' | 'ES256'): Promise<string>;
  /** Replaces (or with undefined removes) the token endpoint response rewriter. */
  onTokenResponse(hook: TokenResponseHook | undefined): void;
  /**
   * Completes the browser part of a login over plain HTTP: follows the authorization URL, fills the login
   * (and consent) forms, and returns the URL the IdP redirects back to (the RP callback, not followed).
   */
  login(authorizationUrl: string | URL, input: TestLoginInput): Promise<URL>;
  stop(): Promise<void>;
}

interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

interface InteractionDetails {
  readonly uid: string;
  readonly prompt: { readonly name: string; readonly details: Record<string, unknown> };
  readonly params: Record<string, unknown>;
  readonly session?: { readonly accountId?: string };
  readonly grantId?: string;
}

interface GrantLike {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}

interface KoaContextLike {
  path: string;
  method: string;
  status: number;
  body: unknown;
}

interface OidcContextLike {
  readonly oidc: {
    readonly client?: { readonly clientId: string };
    readonly session?: { readonly accountId?: string; grantIdFor(clientId: string): string | undefined };
    readonly result?: { readonly consent?: { readonly grantId?: string } };
    readonly params?: { readonly scope?: string };
  };
}

interface ProviderLike {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  use(middleware: (ctx: KoaContextLike, next: () => Promise<void>) => Promise<void>): void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission?: boolean },
  ): Promise<void>;
  readonly Grant: {
    new (input: { accountId: string; clientId: string }): GrantLike;
    find(id: string): Promise<GrantLike | undefined>;
  };
}

type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderLike;

/** oidc-provider ships no type declarations; importing through a variable keeps it `any` without a suppression. */
async function loadProvider(): Promise<ProviderConstructor> {
  const specifier = 'oidc-provider';
  const module = (await import(specifier)) as { Provider: ProviderConstructor };
  return module.Provider;
}

async function newSigningKey(alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}`;
  const common = { kid, alg, use: 'sig' };
  return {
    kid,
    alg,
    privateJwk: { ...(await exportJWK(privateKey)), ...common },
    publicJwk: { ...(await exportJWK(publicKey)), ...common },
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function loginPage(
  uid: string,
  clientId: string,
  error?: string,
  render: (title: string, body: string) => string = page,
  footer = '',
): string {
  const u = escapeHtml(uid);
  return render(
    'Sign in',
    `<p>Signing in to <code>${escapeHtml(clientId)}</code></p>` +
      (error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`) +
      `<form method="post" action="/interaction/${u}/login" data-prompt="login">` +
      `<label>Username <input name="username" autocomplete="username" autofocus></label>` +
      `<label>Password <input name="password" type="password" autocomplete="current-password"></label>` +
      `<button type="submit" name="action" value="login">Sign in</button>` +
      `<button type="submit" name="action" value="deny">Cancel</button></form>` +
      footer,
  );
}

function consentPage(
  uid: string,
  clientId: string,
  scopes: string,
  render: (title: string, body: string) => string = page,
): string {
  const u = escapeHtml(uid);
  return render(
    'Allow access?',
    `<p><code>${escapeHtml(clientId)}</code> asks for: ${escapeHtml(scopes)}</p>` +
      `<form method="post" action="/interaction/${u}/confirm" data-prompt="consent">` +
      `<button type="submit" name="action" value="confirm">Continue</button></form>`,
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** Starts a real OpenID provider on 127.0.0.1 with the given clients and accounts; call `stop()` after the tests. */
export async function startTestOidcIdp(options: TestOidcIdpOptions): Promise<TestOidcIdp> {
  const Provider = await loadProvider();
  const keys: SigningKey[] = [await newSigningKey('RS256'), await newSigningKey('ES256')];
  const providerKeys = [...keys];
  let jwksCount = 0;
  let tokenHook: TokenResponseHook | undefined;
  // The issuer needs the port, so the server listens first and gets its request handler once the provider exists.
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const claimNames = new Set<string>(['sub']);
  for (const account of Object.values(options.accounts)) {
    for (const name of Object.keys(account.claims ?? {})) claimNames.add(name);
  }

  const configuration: Record<string, unknown> = {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      ...(client.clientSecret === undefined
        ? { token_endpoint_auth_method: 'none' }
        : { client_secret: client.clientSecret }),
      redirect_uris: [...client.redirectUris],
      post_logout_redirect_uris: [...(client.postLogoutRedirectUris ?? [])],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: client.idTokenSignedResponseAlg ?? 'RS256',
    })),
    jwks: { keys: providerKeys.map((key) => key.privateJwk) },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    // By default every account claim, amr and auth_time are released with `openid`, as the IdPs fedgate meets
    // do. With claimsInIdToken false account claims move to the `profile` scope, which conform mode keeps
    // out of the ID token, so they are only at userinfo.
    claims:
      options.claimsInIdToken === false
        ? { acr: null, sid: null, iss: null, openid: ['sub', 'amr', 'auth_time'], profile: [...claimNames] }
        : { acr: null, sid: null, iss: null, openid: [...claimNames, 'amr', 'auth_time'] },
    conformIdTokenClaims: options.claimsInIdToken === false,
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Explicit lifetimes keep oidc-provider from printing a notice per artifact.
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = options.accounts[sub];
      if (account === undefined) return undefined;
      return { accountId: sub, claims: () => ({ ...(account.claims ?? {}), sub }) };
    },
    ...(options.skipConsent === true
      ? {
          loadExistingGrant: async (ctx: OidcContextLike) => {
            const { client, session, result, params } = ctx.oidc;
            if (client === undefined || session?.accountId === undefined) return undefined;
            const existing = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
            if (existing !== undefined) return provider.Grant.find(existing);
            const grant = new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
            grant.addOIDCScope(params?.scope ?? 'openid');
            await grant.save();
            return grant;
          },
        }
      : {}),
  };
  const provider = new Provider(issuer, configuration);

  provider.use(async (ctx, next) => {
    await next();
    if (tokenHook !== undefined && ctx.path === '/token' && ctx.method === 'POST' && ctx.status === 200) {
      ctx.body = await tokenHook(ctx.body as Record<string, unknown>);
    }
  });

  const providerCallback = provider.callback();
  const render = options.renderPage ?? page;

  async function interaction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
    step?: string,
  ): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const clientId = String(details.params['client_id'] ?? '');
    if (req.method === 'GET' && step === undefined) {
      if (details.prompt.name === 'login')
        return sendHtml(res, 200, loginPage(uid, clientId, undefined, render, options.loginFooter));
      return sendHtml(res, 200, consentPage(uid, clientId, String(details.params['scope'] ?? ''), render));
    }
    if (req.method !== 'POST') return sendHtml(res, 405, render('Method not allowed', ''));
    const form = await readForm(req);
    if (step === 'login') {
      if (form.get('action') === 'deny') {
        return provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'End-User aborted interaction' },
          { mergeWithLastSubmission: false },
        );
      }
      const username = form.get('username') ?? '';
      const account = options.accounts[username];
      if (account === undefined || (account.password ?? 'password') !== form.get('password')) {
        return sendHtml(
          res,
          200,
          loginPage(uid, clientId, 'Unknown user or wrong password.', render, options.loginFooter),
        );
      }
      return provider.interactionFinished(req, res, {
        login: {
          accountId: username,
          ...(account.amr === undefined ? {} : { amr: [...account.amr] }),
          ...(account.acr === undefined ? {} : { acr: account.acr }),
        },
      });
    }
    if (step === 'confirm') {
      const accountId = details.session?.accountId;
      if (accountId === undefined) throw new Error('consent without a login');
      const grant =
        details.grantId === undefined
          ? new provider.Grant({ accountId, clientId })
          : await provider.Grant.find(details.grantId);
      if (grant === undefined) throw new Error('grant not found');
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope !== undefined) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(
        req,
        res,
        { consent: details.grantId === undefined ? { grantId } : {} },
        {
          mergeWithLastSubmission: true,
        },
      );
    }
    return sendHtml(res, 404, render('Not found', ''));
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/jwks' && req.method === 'GET') {
      jwksCount += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
      return;
    }
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm))?$/.exec(url.pathname);
    if (match !== null) {
      interaction(req, res, match[1] ?? '', match[2]).catch(() => {
        if (!res.headersSent)
          sendHtml(res, 400, render('Interaction failed', '<p role="alert">Start the sign-in again.</p>'));
        else res.end();
      });
      return;
    }
    providerCallback(req, res);
  });

  async function signingKey(kid: string | undefined, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
    const key = kid === undefined ? keys.find((k) => k.alg === alg) : keys.find((k) => k.kid === kid);
    if (key === undefined) throw new TypeError(`no signing key ${kid ?? alg}`);
    return key;
  }

  async function login(authorizationUrl: string | URL, input: TestLoginInput): Promise<URL> {
    const jar = new Map<string, string>();
    const origin = new URL(issuer).origin;
    const send = async (url: URL, init: RequestInit = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      if (jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
      const response = await fetch(url, { ...init, headers, redirect: 'manual' });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
        else jar.set(name, value);
      }
      return response;
    };

    let url = new URL(authorizationUrl);
    let response = await send(url);
    for (let step = 0; step < 20; step++) {
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        const next = new URL(location, url);
        if (next.origin !== origin) return next;
        url = next;
        response = await send(url);
        continue;
      }
      const html = await response.text();
      const form = /<form method="post" action="([^"]+)" data-prompt="(login|consent)">/.exec(html);
      if (response.status !== 200 || form === null) {
        throw new Error(`test IdP login stopped at ${url.pathname} with status ${response.status}`);
      }
      const action = new URL(form[1] ?? '', url);
      const body = new URLSearchParams();
      if (form[2] === 'login') {
        if (html.includes('role="alert"')) throw new Error('test IdP refused the credentials');
        body.set('action', input.deny === true ? 'deny' : 'login');
        body.set('username', input.username);
        body.set('password', input.password ?? options.accounts[input.username]?.password ?? 'password');
      } else {
        body.set('action', 'confirm');
      }
      url = action;
      response = await send(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    }
    throw new Error('test IdP login did not finish');
  }

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    kids: {
      RS256: keys.find((k) => k.alg === 'RS256')?.kid ?? '',
      ES256: keys.find((k) => k.alg === 'ES256')?.kid ?? '',
    },
    jwks: () => ({ keys: keys.map((key) => key.publicJwk) }),
    jwksRequests: () => jwksCount,
    async issueIdToken(claims, signOptions) {
      const alg = signOptions.alg ?? 'RS256';
      const key = await signingKey(signOptions.kid, alg);
      const iat = signOptions.issuedAt ?? Math.floor(Date.now() / 1000);
      const payload = {
        iss: issuer,
        aud: typeof signOptions.aud === 'string' ? signOptions.aud : [...signOptions.aud],
        iat,
        exp: iat + (signOptions.expiresIn ?? 300),
        ...claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .sign(await importJWK(key.privateJwk, key.alg));
    },
    async addSigningKey(alg = 'RS256') {
      const key = await newSigningKey(alg);
      keys.push(key);
      return key.kid;
    },
    onTokenResponse(hook) {
      tokenHook = hook;
    },
    login,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
