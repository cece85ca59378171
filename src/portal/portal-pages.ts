import { html, RawHtml } from './html.js';

/** A provider as the sign-in page lists it. */
export interface ProviderLink {
  readonly id: string;
  readonly displayName: string;
  readonly type: 'saml' | 'oidc';
}

/** A role as the portal lists it. */
export interface RoleChoice {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly appUrl?: string;
}

/** The identity summary shown on portal pages. */
export interface IdentitySummary {
  readonly provider: string;
  /** The provider's `displayName`, as people know it. */
  readonly providerName: string;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly mfa: boolean;
}

/** Credentials as the CLI page shows them. */
export interface CredentialsView {
  readonly roleName: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
  readonly principalArn: string;
}

/** How the portal looks (config `portal.title`, `portal.logoUrl`, `portal.accentColor`). */
export interface PortalBrand {
  readonly title: string;
  readonly logoUrl?: string;
  /** `#rrggbb`; white text must be legible on it in light mode. */
  readonly accentColor?: string;
}

/** The look without configuration. */
export const DEFAULT_BRAND: PortalBrand = { title: 'fedgate' };

/** The brand of the configuration's `portal` section. */
export function portalBrand(portal: {
  readonly title?: string | undefined;
  readonly logoUrl?: string | undefined;
  readonly accentColor?: string | undefined;
}): PortalBrand {
  return {
    title: portal.title ?? DEFAULT_BRAND.title,
    ...(portal.logoUrl === undefined ? {} : { logoUrl: portal.logoUrl }),
    ...(portal.accentColor === undefined ? {} : { accentColor: portal.accentColor }),
  };
}

/** Titles of the error pages browsers get instead of problem+json, by status. */
const HTTP_ERROR_TITLES: Readonly<Record<number, string>> = {
  404: 'Page not found',
  429: 'Too many attempts',
  503: 'Temporarily unavailable',
};

/** The page a browser gets for a 404, 429 or 5xx: what happened in plain words and a way back. */
export function httpErrorPage(status: number, detail: string, code: string): PortalPage {
  const title = HTTP_ERROR_TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Request refused');
  const advice =
    status === 429
      ? 'Wait a moment, then try again.'
      : status >= 500
        ? 'This is not something you did. Try again in a moment.'
        : 'Check the address, or start again from the portal.';
  return {
    title,
    body: html`<h1>${title}</h1>
      <p class="notice">${detail}</p>
      <p>${advice}</p>
      <p class="muted">Error code: <code>${code}</code></p>
      <p><a class="button" href="/">Back to the portal</a></p>`,
  };
}

/** A portal page's content; the HTTP edge renders it inside the branded layout (`renderPortalPage`). */
export interface PortalPage {
  readonly title: string;
  readonly body: RawHtml;
  /** Extra CSS for this page (trusted, from code). */
  readonly style?: string;
  readonly signedIn?: { readonly summary: IdentitySummary; readonly csrfToken: string };
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f8fa;--card:#fff;--line:#d0d7de;--accent:#0b5cad;--on-accent:#fff;--link:var(--accent);--warn:#9a3412}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--line:#30363d;--on-accent:#fff;--link:#8cc4ff;--warn:#f0883e}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;justify-content:space-between;align-items:center;padding:.75rem 1.5rem;border-bottom:1px solid var(--line);background:var(--card)}
header .brand{font-weight:700;letter-spacing:.02em}main{max-width:52rem;margin:2rem auto;padding:0 1.5rem}
h1{font-size:1.5rem;margin:0 0 1rem}ul.cards{list-style:none;padding:0;display:grid;gap:.75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem 1.25rem}
.card h2{font-size:1.1rem;margin:0 0 .25rem}.muted{color:var(--muted)}.arn{font-family:ui-monospace,monospace;font-size:.85rem;color:var(--muted);word-break:break-all}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}form{margin:0}
button,.button{font:inherit;font-weight:600;cursor:pointer;border-radius:.375rem;padding:.45rem .95rem;border:1px solid var(--accent);background:var(--accent);color:var(--on-accent);text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:transparent;color:var(--link);border-color:var(--link)}button:focus-visible,.button:focus-visible,a:focus-visible{outline:3px solid var(--link);outline-offset:2px}
a{color:var(--link)}pre{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;font-size:.85rem;white-space:pre-wrap;overflow-wrap:anywhere}
header .brand{display:flex;align-items:center;gap:.5rem;color:var(--fg);text-decoration:none}header .brand img{height:1.75rem;width:auto}
.active{border-left:4px solid var(--accent)}.copy-row{display:flex;justify-content:space-between;align-items:center;gap:.5rem;margin-top:1rem}
header form{display:flex;align-items:center;gap:.75rem;flex-wrap:wrap}@media (max-width:36rem){header{flex-wrap:wrap;gap:.5rem;padding:.75rem 1rem}main{margin:1.25rem auto;padding:0 1rem}}
.notice{border-left:4px solid var(--warn);padding:.5rem 1rem;background:var(--card)}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;word-break:break-all}
`;

/** Renders a portal page inside the branded layout: what the HTTP edge sends. */
export function renderPortalPage(page: PortalPage, brand: PortalBrand = DEFAULT_BRAND): string {
  return layout(page, brand);
}

/** Wraps a page body in the portal layout. */
export function layout(
  options: {
    title: string;
    body: RawHtml;
    /** Extra CSS for this page (trusted, from code). */
    style?: string | undefined;
    signedIn?: { summary: IdentitySummary; csrfToken: string } | undefined;
  },
  brand: PortalBrand = DEFAULT_BRAND,
): string {
  const signedIn = options.signedIn;
  return `<!doctype html>${html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width,initial-scale=1" />
      <title>${options.title} · ${brand.title}</title>
      <link rel="icon" href="${brand.logoUrl ?? 'data:,'}" />
      <style>
        ${rawStyle(brand)}${new RawHtml(options.style ?? '')}
      </style>
      <script src="/portal/portal.js" defer></script>
    </head>
    <body>
      <header>
        <a class="brand" href="/"
          >${brand.logoUrl === undefined ? '' : html`<img src="${brand.logoUrl}" alt="" />`}<span
            >${brand.title}</span
          ></a
        >${
          signedIn === undefined
            ? ''
            : html`<form method="post" action="/logout">
                <span class="muted">${signedIn.summary.subject} (${signedIn.summary.providerName})</span>
                <input type="hidden" name="csrf" value="${signedIn.csrfToken}" />
                <button class="secondary" type="submit">Sign out</button>
              </form>`
        }
      </header>
      <main>${options.body}</main>
    </body>
  </html>`}`;
}

function rawStyle(brand: PortalBrand): RawHtml {
  // accentColor is validated as #rrggbb by the configuration schema, so it is safe inside the style element.
  const accent =
    brand.accentColor === undefined || !/^#[0-9a-fA-F]{6}$/.test(brand.accentColor)
      ? ''
      : `:root{--accent:${brand.accentColor}}@media (prefers-color-scheme:dark){:root{--accent:${brand.accentColor}}}`;
  return new RawHtml(STYLE + accent);
}

/** The sign-in page: one link per browser-login provider. */
export function signInPage(providers: readonly ProviderLink[], returnTo: string | undefined): PortalPage {
  const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  const body =
    providers.length === 0
      ? html`<h1>Sign in</h1>
          <p class="notice">No identity provider is configured for browser sign-in.</p>`
      : html`<h1>Sign in</h1>
          <p class="muted">Choose your identity provider.</p>
          <ul class="cards">
            ${providers.map(
              (provider) =>
                html`<li class="card">
                  <h2>${provider.displayName}</h2>
                  <p class="muted">${provider.type === 'saml' ? 'SAML 2.0' : 'OpenID Connect'}</p>
                  <div class="actions">
                    <a class="button" href="/login/${encodeURIComponent(provider.id)}${query}"
                      >Sign in with ${provider.displayName}</a
                    >
                  </div>
                </li>`,
            )}
          </ul>`;
  return { title: 'Sign in', body };
}

/** The roles page: every role this identity may assume. */
export function rolesPage(options: {
  summary: IdentitySummary;
  roles: readonly RoleChoice[];
  csrfToken: string;
  returnTo: string | undefined;
  /** The browser's current role session, when it has one. */
  active?: ActiveSession | undefined;
}): PortalPage {
  const { summary, roles, csrfToken, returnTo, active } = options;
  const body = html`<h1>Your roles</h1>
    <p class="muted">
      Signed in as <strong>${summary.subject}</strong> through
      ${summary.providerName}${summary.mfa ? ' with MFA' : ''}.
    </p>
    ${
      active === undefined
        ? ''
        : html`<p class="card active" role="status">
            Active session: <strong>${active.roleName}</strong>, until
            <time datetime="${new Date(active.expiresAt * 1000).toISOString()}" data-local-time
              >${new Date(active.expiresAt * 1000).toISOString()}</time
            >
            (<span data-remaining="${String(active.expiresAt)}"
              >${remaining(active.expiresAt, active.now)}</span
            >
            left).
          </p>`
    }
    <ul class="cards">
      ${roles.map(
        (role) =>
          html`<li class="card">
            <h2>${role.name}</h2>
            ${role.description === undefined ? '' : html`<p>${role.description}</p>`}
            <p class="arn">${role.arn}</p>
            <div class="actions">
              <form method="post" action="/portal/assume">
                <input type="hidden" name="csrf" value="${csrfToken}" /><input
                  type="hidden"
                  name="role"
                  value="${role.name}"
                />
                ${returnTo === undefined ? '' : html`<input type="hidden" name="return_to" value="${returnTo}" />`}<button
                  type="submit"
                >
                  Open session as ${role.name}
                </button>
              </form>
              <form method="post" action="/portal/credentials">
                <input type="hidden" name="csrf" value="${csrfToken}" /><input
                  type="hidden"
                  name="role"
                  value="${role.name}"
                />
                <button class="secondary" type="submit">CLI credentials</button>
              </form>
              ${
                role.appUrl === undefined
                  ? ''
                  : html`<form method="post" action="/portal/assume">
                      <input type="hidden" name="csrf" value="${csrfToken}" /><input
                        type="hidden"
                        name="role"
                        value="${role.name}"
                      /><input type="hidden" name="return_to" value="${role.appUrl}" />
                      <button class="secondary" type="submit">Open app</button>
                    </form>`
              }
            </div>
          </li>`,
      )}
    </ul>`;
  return { title: 'Your roles', body, signedIn: { summary, csrfToken } };
}

/** Shown when no role trusts the identity: who they are, and that nothing was issued. */
export function noRolePage(
  summary: IdentitySummary,
  refusedTagAttributes: readonly string[] = [],
): PortalPage {
  const body = html`<h1>No role trusts this identity</h1>
    <p class="notice">
      You signed in, but no role's trust policy allows this identity, so no session was issued. Ask an
      administrator to grant access, quoting the details below.
    </p>
    ${
      refusedTagAttributes.length === 0
        ? ''
        : html`<p class="notice">
            The identity provider's value of
            ${refusedTagAttributes.map((name, index) => html`${index === 0 ? '' : ', '}<code>${name}</code>`)}
            cannot be a session tag (too long, or characters outside letters, digits, spaces and _.:/=+-@), so
            no role can be assumed with it.
          </p>`
    }
    <dl>
      <dt>Provider</dt>
      <dd>${summary.providerName}</dd>
      <dt>Subject</dt>
      <dd>${summary.subject}</dd>
      <dt>Groups</dt>
      <dd>${summary.groups.length === 0 ? '(none)' : summary.groups.join(', ')}</dd>
      <dt>MFA</dt>
      <dd>${summary.mfa ? 'yes' : 'no'}</dd>
    </dl>
    <p><a href="/">Back to sign in</a></p>`;
  return { title: 'No role', body };
}

/**
 * The interstitial of an IdP-initiated SAML sign-in: nothing proves this browser asked for it (an attacker can
 * post their own response here), so the person sees whom they would become and confirms it.
 */
export function confirmSignInPage(options: {
  readonly providerName: string;
  readonly subject: string;
  readonly action: string;
  readonly handle: string;
}): PortalPage {
  const body = html`<h1>Continue as ${options.subject} at ${options.providerName}?</h1>
    <p class="notice">
      ${options.providerName} sent a sign-in that this browser did not start here. Continue only if you just
      chose this application at ${options.providerName} and ${options.subject} is you.
    </p>
    <div class="actions">
      <form method="post" action="${options.action}">
        <input type="hidden" name="handle" value="${options.handle}" />
        <button type="submit">Continue as ${options.subject}</button>
      </form>
      <a class="button secondary" href="/">Cancel</a>
    </div>`;
  return { title: 'Confirm sign-in', body };
}

/**
 * CLI credentials as a named AWS profile, never as `AWS_*` exports: exported variables would take over every
 * `aws` command in that shell (they come first in the AWS default credential chain). A named profile is used
 * only where asked for (`--profile`, `AWS_PROFILE`), and `endpoint_url` points its STS calls at fedgate.
 */
export function credentialsPage(options: {
  summary: IdentitySummary;
  csrfToken: string;
  credentials: CredentialsView;
  /** fedgate's public URL: the profile's STS endpoint. */
  endpointUrl: string;
}): PortalPage {
  const c = options.credentials;
  const profile = `fedgate-${c.roleName}`;
  const snippet = `[profile ${profile}]
aws_access_key_id = ${c.accessKeyId}
aws_secret_access_key = ${c.secretAccessKey}
aws_session_token = ${c.sessionToken}
services = ${profile}

[services ${profile}]
sts =
  endpoint_url = ${options.endpointUrl}`;
  const loginCommand = `fedgate login --profile ${profile} --endpoint ${options.endpointUrl}`;
  const loginSnippet = `[profile ${profile}]
credential_process = fedgate credentials --profile ${profile}
region = us-east-1
services = ${profile}

[services ${profile}]
sts =
  endpoint_url = ${options.endpointUrl}`;
  const body = html`<h1>Credentials for ${c.roleName}</h1>
    <p class="arn">${c.principalArn}</p>
    <p>
      Valid until
      <time datetime="${c.expiration}" data-local-time>${c.expiration}</time>. Add this profile to
      <code>~/.aws/config</code>, then use it with <code>--profile ${profile}</code>:
    </p>
    <div class="copy-row">
      <strong>AWS CLI and SDK profile</strong>
      <button class="secondary" type="button" data-copy="profile" hidden>Copy</button>
    </div>
    <pre id="profile" aria-label="AWS profile">${snippet}</pre>
    <p class="muted">
      A named profile is used only where you ask for it, so your other <code>aws</code> commands keep their
      own credentials.
    </p>
    <div class="copy-row">
      <strong>Session token</strong>
      <button class="secondary" type="button" data-copy="session-token" hidden>Copy</button>
    </div>
    <pre id="session-token" aria-label="session token">${c.sessionToken}</pre>
    <p class="muted">Send it as <code>Authorization: Bearer …</code> to services behind fedgate.</p>
    <h2>Renewed for you, from a terminal</h2>
    <p>
      These credentials end at the time above. To have the AWS CLI and SDKs renew them by themselves while
      your sign-in lasts, run this, pick ${c.roleName} on the page it opens, and use the profile below
      instead:
    </p>
    <div class="copy-row">
      <strong>Command</strong>
      <button class="secondary" type="button" data-copy="login-command" hidden>Copy</button>
    </div>
    <pre id="login-command" aria-label="fedgate login command">${loginCommand}</pre>
    <div class="copy-row">
      <strong>Profile with credential_process</strong>
      <button class="secondary" type="button" data-copy="login-profile" hidden>Copy</button>
    </div>
    <pre id="login-profile" aria-label="credential_process profile">${loginSnippet}</pre>
    <p class="notice">
      An AWS CLI or SDK too old to read <code>endpoint_url</code> from the profile (Debian 12's AWS CLI 2.9,
      for one) ignores it and sends these credentials to AWS instead: with those, pass
      <code>--endpoint-url ${options.endpointUrl}</code> on every command.
    </p>
    <p><a href="/">Back to your roles</a></p>`;
  return {
    title: `Credentials for ${c.roleName}`,
    body,
    signedIn: { summary: options.summary, csrfToken: options.csrfToken },
  };
}

/** A short error page for browser flows (failed sign-in and the like); never details of the failure's evidence. */
export function errorPage(title: string, message: string, code?: string): PortalPage {
  return {
    title,
    body: html`<h1>${title}</h1>
      <p class="notice">${message}</p>
      ${code === undefined ? '' : html`<p class="muted">Error code: <code>${code}</code></p>`}
      <p><a href="/">Back to the portal</a></p>`,
  };
}

/** The browser's current role session, for the roles page. */
export interface ActiveSession {
  readonly roleName: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /** Epoch seconds, now. */
  readonly now: number;
}

/** `1 h 5 min`, `12 min`, `less than a minute`. */
function remaining(expiresAt: number, now: number): string {
  const minutes = Math.floor(Math.max(0, expiresAt - now) / 60);
  if (minutes < 1) return 'less than a minute';
  const hours = Math.floor(minutes / 60);
  return hours === 0 ? `${minutes} min` : `${hours} h ${minutes % 60} min`;
}

/** A device authorization awaiting an answer, as the verification page describes it. */
export interface DeviceRequestView {
  /** `XXXX-XXXX`. */
  readonly userCode: string;
  /** ISO 8601. */
  readonly requestedAt: string;
  readonly sourceIp: string;
}

const DEVICE_STYLE = `
.field{display:grid;gap:.35rem;margin:1rem 0}.field label{font-weight:600}
input.code{font:600 1.4rem/1.2 ui-monospace,monospace;letter-spacing:.12em;text-transform:uppercase;width:14ch;max-width:100%;padding:.4rem .6rem;border:1px solid var(--line);border-radius:.375rem;background:var(--card);color:var(--fg)}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.5rem 1rem;margin:1rem 0;background:var(--card)}legend{font-weight:600;padding:0 .25rem}
label.role{display:flex;gap:.6rem;align-items:baseline;padding:.4rem 0;cursor:pointer}label.role+label.role{border-top:1px solid var(--line)}
`;

/**
 * The verification page of the device authorization grant (RFC 8628 §3.3): the signed-in person types (or checks)
 * the code their terminal shows and picks the role the command line gets. It says where and when the code was asked
 * for and warns before confirming: a code someone else sent is the remote phishing attack of RFC 8628 §5.4.
 */
export function deviceVerificationPage(options: {
  readonly summary: IdentitySummary;
  readonly csrfToken: string;
  readonly roles: readonly RoleChoice[];
  /** What goes in the code field (from `verification_uri_complete` or the person's previous try). */
  readonly userCode: string;
  /** The request the code stands for, when it is a live one. */
  readonly request?: DeviceRequestView | undefined;
  /** Why the previous answer was not taken. */
  readonly problem?: string | undefined;
  /** The role picked in the previous try, kept checked. */
  readonly selectedRole?: string | undefined;
}): PortalPage {
  const { summary, csrfToken, roles, request } = options;
  const body = html`<h1>Allow fedgate login?</h1>
    <p>
      <code>fedgate login</code> asks to act as <strong>${summary.subject}</strong>. Confirm the code it
      shows, choose a role, and the terminal gets that role's credentials until your sign-in ends.
    </p>
    <p class="notice">
      Continue only if you started <code>fedgate login</code> yourself just now and the code is the one in
      your terminal. Whoever ran the command that shows this code gets your credentials.
    </p>
    ${options.problem === undefined ? '' : html`<p class="notice" role="alert">${options.problem}</p>`}
    <form method="post" action="/device">
      <input type="hidden" name="csrf" value="${csrfToken}" />
      <div class="field">
        <label for="user_code">Code shown in your terminal</label>
        <input
          class="code"
          id="user_code"
          name="user_code"
          value="${options.userCode}"
          placeholder="XXXX-XXXX"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck="false"
          maxlength="12"
          required
        />
        ${
          request === undefined
            ? ''
            : html`<span class="muted"
                >Asked for at
                <time datetime="${request.requestedAt}" data-local-time>${request.requestedAt}</time> from
                ${request.sourceIp === '' ? 'an unknown address' : request.sourceIp}.</span
              >`
        }
      </div>
      <fieldset>
        <legend>Role for the command line</legend>
        ${roles.map(
          (role) =>
            html`<label class="role"
              ><input
                type="radio"
                name="role"
                value="${role.name}"
                required
                ${roles.length === 1 || role.name === options.selectedRole ? new RawHtml('checked') : ''}
              /><span
                ><strong>${role.name}</strong>${
                  role.description === undefined
                    ? ''
                    : html` <span class="muted">· ${role.description}</span>`
                }</span
              ></label
            >`,
        )}
      </fieldset>
      <div class="actions">
        <button type="submit" name="decision" value="approve">Allow</button>
        <button class="secondary" type="submit" name="decision" value="deny" formnovalidate>Deny</button>
      </div>
    </form>`;
  return {
    title: 'Allow fedgate login',
    body,
    style: DEVICE_STYLE,
    signedIn: { summary, csrfToken },
  };
}

/** After the person's answer on the verification page: what happens in the terminal now. */
export function deviceAnsweredPage(options: {
  readonly summary: IdentitySummary;
  readonly csrfToken: string;
  /** The role given, or undefined when the person denied. */
  readonly roleName: string | undefined;
  /** ISO 8601: when the terminal's sign-in ends. */
  readonly signInEnds: string;
}): PortalPage {
  const body =
    options.roleName === undefined
      ? html`<h1>fedgate login denied</h1>
          <p>The terminal that showed this code gets nothing and stops waiting.</p>
          <p><a href="/">Back to your roles</a></p>`
      : html`<h1>fedgate login is signed in</h1>
          <p role="status">
            Your terminal now gets credentials for <strong>${options.roleName}</strong>. You can close this
            tab.
          </p>
          <p class="muted">
            The terminal renews them by itself until
            <time datetime="${options.signInEnds}" data-local-time>${options.signInEnds}</time>, when this
            sign-in would have ended. Signing out of this browser does not end it.
          </p>
          <p><a href="/">Back to your roles</a></p>`;
  return {
    title: options.roleName === undefined ? 'fedgate login denied' : 'fedgate login signed in',
    body,
    signedIn: { summary: options.summary, csrfToken: options.csrfToken },
  };
}
