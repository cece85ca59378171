import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml } from '../src/portal/html.js';
import { startDemoServer, type DemoServer } from './demo-server.js';
import { createTestSamlIdp, type TestSamlIdp } from '../test/support/saml-idp.js';
import { DEMO_USERS } from './demo-users.js';
import { DEMO_SAML_BRAND, demoIdpPage, demoUsersList } from './demo-idp-page.js';

const MFA_CONTEXT = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const PASSWORD_CONTEXT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

/** A running demo SAML IdP. */
export type DemoSamlIdp = DemoServer;

/**
 * The demo SAML IdP: a login form in front of a real SAML library (samlify via the test IdP) that signs responses
 * with the key in config/demo/. It answers SP-initiated logins (HTTP-Redirect AuthnRequest, HTTP-POST response).
 */
export async function startDemoSamlIdp(options: { port: number; configDir: string }): Promise<DemoSamlIdp> {
  const base = `http://127.0.0.1:${options.port}`;
  const idp: TestSamlIdp = createTestSamlIdp({
    entityId: `${base}/metadata`,
    ssoUrl: `${base}/sso`,
    keyPair: {
      privateKeyPem: readFileSync(`${options.configDir}/demo/idp-key.pem`, 'utf8'),
      certificatePem: readFileSync(`${options.configDir}/demo/idp-cert.pem`, 'utf8'),
    },
  });
  return startDemoServer(options.port, 'demo IdP error', 500, (req, res) => handle(idp, base, req, res));
}

async function handle(
  idp: TestSamlIdp,
  base: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', base);
  if (req.method === 'GET' && url.pathname === '/metadata') {
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' });
    res.end(idp.metadataXml);
    return;
  }
  if (req.method === 'GET' && url.pathname === '/sso') {
    const request = idp.readRedirectRequest(url.toString());
    page(
      res,
      200,
      loginForm({
        requestId: request.id,
        acsUrl: request.acsUrl ?? '',
        audience: request.issuer,
        relayState: request.relayState ?? '',
      }),
    );
    return;
  }
  if (req.method === 'POST' && url.pathname === '/sso/login') {
    const form = new URLSearchParams(await readBody(req));
    const user = DEMO_USERS.find((candidate) => candidate.username === form.get('username'));
    const fields = {
      requestId: form.get('requestId') ?? '',
      acsUrl: form.get('acsUrl') ?? '',
      audience: form.get('audience') ?? '',
      relayState: form.get('relayState') ?? '',
    };
    if (user === undefined || user.password !== form.get('password')) {
      page(res, 401, loginForm(fields, 'Unknown user or wrong password.'));
      return;
    }
    const samlResponse = await idp.createResponse({
      inResponseTo: fields.requestId,
      destination: fields.acsUrl,
      recipient: fields.acsUrl,
      audience: fields.audience,
      nameId: user.email,
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      attributes: { email: user.email, groups: [...user.groups], team: user.team, displayName: user.name },
      authnContextClassRef: user.mfa ? MFA_CONTEXT : PASSWORD_CONTEXT,
      sign: 'both',
    });
    page(
      res,
      200,
      `<p>Signed in as <strong>${escapeHtml(user.name)}</strong>. Returning to fedgate…</p>
<form id="post" method="post" action="${escapeHtml(fields.acsUrl)}">
<input type="hidden" name="SAMLResponse" value="${escapeHtml(samlResponse)}">
<input type="hidden" name="RelayState" value="${escapeHtml(fields.relayState)}">
<button type="submit">Continue to fedgate</button></form>
<script>document.getElementById('post').submit()</script>`,
      'Signed in',
    );
    return;
  }
  page(res, 404, "<p>There is nothing here. Start from fedgate's sign-in page.</p>", 'Not found');
}

function loginForm(
  fields: { requestId: string; acsUrl: string; audience: string; relayState: string },
  error?: string,
): string {
  return `${error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`}
<form method="post" action="/sso/login">
${Object.entries(fields)
  .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
  .join('')}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>${demoUsersList()}`;
}

function page(res: ServerResponse, status: number, body: string, title = 'Sign in'): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(demoIdpPage(DEMO_SAML_BRAND, title, body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 65_536) throw new Error('form too large');
  }
  return body;
}
