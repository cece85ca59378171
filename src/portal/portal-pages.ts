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

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f8fa;--card:#fff;--line:#d0d7de;--accent:#0b5cad;--warn:#9a3412}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--line:#30363d;--accent:#58a6ff;--warn:#f0883e}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;justify-content:space-between;align-items:center;padding:.75rem 1.5rem;border-bottom:1px solid var(--line);background:var(--card)}
header .brand{font-weight:700;letter-spacing:.02em}main{max-width:52rem;margin:2rem auto;padding:0 1.5rem}
h1{font-size:1.5rem;margin:0 0 1rem}ul.cards{list-style:none;padding:0;display:grid;gap:.75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem 1.25rem}
.card h2{font-size:1.1rem;margin:0 0 .25rem}.muted{color:var(--muted)}.arn{font-family:ui-monospace,monospace;font-size:.85rem;color:var(--muted);word-break:break-all}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}form{margin:0}
button,.button{font:inherit;cursor:pointer;border-radius:.375rem;padding:.4rem .9rem;border:1px solid var(--accent);background:var(--accent);color:#fff;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:transparent;color:var(--accent)}button:focus-visible,.button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
a{color:var(--accent)}pre{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;overflow-x:auto;font-size:.85rem}
.notice{border-left:4px solid var(--warn);padding:.5rem 1rem;background:var(--card)}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;word-break:break-all}
`;

/** Wraps a page body in the portal layout. */
export function layout(options: {
  title: string;
  body: RawHtml;
  signedIn?: { summary: IdentitySummary; csrfToken: string };
}): string {
  const signedIn = options.signedIn;
  return `<!doctype html>${html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width,initial-scale=1" />
      <title>${options.title} · fedgate</title>
      <style>
        ${rawStyle()}
      </style>
    </head>
    <body>
      <header>
        <span class="brand">fedgate</span>${
          signedIn === undefined
            ? ''
            : html`<form method="post" action="/logout">
                <span class="muted">${signedIn.summary.subject} (${signedIn.summary.provider})</span>
                <input type="hidden" name="csrf" value="${signedIn.csrfToken}" />
                <button class="secondary" type="submit">Sign out</button>
              </form>`
        }
      </header>
      <main>${options.body}</main>
    </body>
  </html>`}`;
}

function rawStyle(): RawHtml {
  return new RawHtml(STYLE);
}

/** The sign-in page: one link per browser-login provider. */
export function signInPage(providers: readonly ProviderLink[], returnTo: string | undefined): string {
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
  return layout({ title: 'Sign in', body });
}

/** The roles page: every role this identity may assume. */
export function rolesPage(options: {
  summary: IdentitySummary;
  roles: readonly RoleChoice[];
  csrfToken: string;
  returnTo: string | undefined;
}): string {
  const { summary, roles, csrfToken, returnTo } = options;
  const body = html`<h1>Your roles</h1>
    <p class="muted">
      Signed in as <strong>${summary.subject}</strong> through
      ${summary.provider}${summary.mfa ? ' with MFA' : ''}.
    </p>
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
              ${role.appUrl === undefined ? '' : html`<a class="button secondary" href="${role.appUrl}">Open app</a>`}
            </div>
          </li>`,
      )}
    </ul>`;
  return layout({ title: 'Your roles', body, signedIn: { summary, csrfToken } });
}

/** Shown when no role trusts the identity: who they are, and that nothing was issued. */
export function noRolePage(summary: IdentitySummary): string {
  const body = html`<h1>No role trusts this identity</h1>
    <p class="notice">
      You signed in, but no role's trust policy allows this identity, so no session was issued. Ask an
      administrator to grant access, quoting the details below.
    </p>
    <dl>
      <dt>Provider</dt>
      <dd>${summary.provider}</dd>
      <dt>Subject</dt>
      <dd>${summary.subject}</dd>
      <dt>Groups</dt>
      <dd>${summary.groups.length === 0 ? '(none)' : summary.groups.join(', ')}</dd>
      <dt>MFA</dt>
      <dd>${summary.mfa ? 'yes' : 'no'}</dd>
    </dl>
    <p><a href="/">Back to sign in</a></p>`;
  return layout({ title: 'No role', body });
}

/** CLI credentials as copyable shell lines. */
export function credentialsPage(options: {
  summary: IdentitySummary;
  csrfToken: string;
  credentials: CredentialsView;
}): string {
  const c = options.credentials;
  const shell = `export AWS_ACCESS_KEY_ID=${shellQuote(c.accessKeyId)}
export AWS_SECRET_ACCESS_KEY=${shellQuote(c.secretAccessKey)}
export AWS_SESSION_TOKEN=${shellQuote(c.sessionToken)}
export FEDGATE_TOKEN="$AWS_SESSION_TOKEN"`;
  const body = html`<h1>Credentials for ${c.roleName}</h1>
    <p class="muted">${c.principalArn}</p>
    <p>Valid until <time datetime="${c.expiration}">${c.expiration}</time>. Paste into a shell:</p>
    <pre id="credentials" aria-label="shell lines">${shell}</pre>
    <p class="muted">
      Use the session token as <code>Authorization: Bearer $FEDGATE_TOKEN</code> against services behind
      fedgate.
    </p>
    <p><a href="/">Back to your roles</a></p>`;
  return layout({
    title: `Credentials for ${c.roleName}`,
    body,
    signedIn: { summary: options.summary, csrfToken: options.csrfToken },
  });
}

/** A short error page for browser flows (failed sign-in and the like); never details of the failure's evidence. */
export function errorPage(title: string, message: string, code?: string): string {
  return layout({
    title,
    body: html`<h1>${title}</h1>
      <p class="notice">${message}</p>
      ${code === undefined ? '' : html`<p class="muted">Error code: <code>${code}</code></p>`}
      <p><a href="/">Back to the portal</a></p>`,
  });
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
