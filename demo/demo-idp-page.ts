import { escapeHtml } from '../src/portal/html.js';
import { DEMO_USERS } from './demo-users.js';

/** How a demo identity provider looks: its product name and accent colour. */
export interface DemoIdpBrand {
  readonly product: string;
  /** A CSS colour with enough contrast against white text. */
  readonly accent: string;
}

export const DEMO_OIDC_BRAND: DemoIdpBrand = { product: 'Acme Workforce ID (OIDC)', accent: '#5b21b6' };
export const DEMO_SAML_BRAND: DemoIdpBrand = { product: 'Acme Directory (SAML)', accent: '#0f766e' };

/**
 * A demo IdP page in the style of a hosted sign-in product: a centred card with the product's name, readable
 * in light and dark mode and on a phone. Error messages (`role="alert"` paragraphs) stand out in red.
 */
export function demoIdpPage(brand: DemoIdpBrand, title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)} · ${escapeHtml(brand.product)}</title>
<style>
:root{--accent:${brand.accent};--bg:#f4f4f5;--card:#fff;--text:#18181b;--muted:#52525b;--border:#d4d4d8;--error-bg:#fef2f2;--error:#b91c1c}
@media (prefers-color-scheme:dark){:root{--bg:#18181b;--card:#27272a;--text:#f4f4f5;--muted:#a1a1aa;--border:#3f3f46;--error-bg:#450a0a;--error:#fecaca}}
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;display:flex;flex-direction:column;align-items:center;padding:2rem 1rem}
header{display:flex;align-items:center;gap:.6rem;margin-bottom:1.25rem;font-weight:600}
.logo{width:2rem;height:2rem;border-radius:.5rem;background:var(--accent);display:inline-block}
main{width:100%;max-width:26rem;background:var(--card);border:1px solid var(--border);border-radius:.75rem;padding:1.75rem;box-shadow:0 1px 3px rgb(0 0 0 / .08)}
h1{font-size:1.35rem;margin:0 0 1rem}
label{display:block;font-weight:500;margin:.75rem 0 .25rem}
input:not([type=hidden]){display:block;width:100%;padding:.6rem .7rem;border:1px solid var(--border);border-radius:.45rem;font:inherit;background:var(--card);color:var(--text)}
input:focus{outline:2px solid var(--accent);outline-offset:1px}
button{font:inherit;font-weight:600;border-radius:.45rem;padding:.6rem 1rem;border:1px solid var(--accent);cursor:pointer;margin-top:1rem}
button[value=login],button[type=submit]:not([value]),button[value=confirm]{background:var(--accent);color:#fff;width:100%}
button[value=deny]{background:transparent;color:var(--text);border-color:var(--border);width:100%;margin-top:.5rem}
p[role=alert]{background:var(--error-bg);color:var(--error);border:1px solid currentColor;border-radius:.45rem;padding:.6rem .75rem;font-weight:500}
.users{max-width:26rem;width:100%;margin-top:1.5rem;color:var(--muted);font-size:.9rem}
.users li{margin:.3rem 0}
code{font-family:ui-monospace,monospace;font-size:.9em}
</style></head><body>
<header><span class="logo" aria-hidden="true"></span><span>${escapeHtml(brand.product)}</span></header>
<main><h1>${escapeHtml(title)}</h1>${body}</main>
</body></html>`;
}

/** The demo users, for the sign-in pages: who to sign in as to see each part of the story. */
export function demoUsersList(): string {
  const items = DEMO_USERS.map(
    (user) =>
      `<li><code>${escapeHtml(user.username)}</code> / <code>${escapeHtml(user.password)}</code>: ${escapeHtml(user.story)}</li>`,
  ).join('');
  return `<section class="users" aria-label="Demo users"><strong>Demo users</strong><ul>${items}</ul></section>`;
}
