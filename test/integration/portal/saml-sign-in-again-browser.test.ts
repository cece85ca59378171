/**
 * Issue 11 item 8 through SAML in a real browser: the IdP answers with a cross-site HTTP-POST, which does not
 * carry the SameSite=Lax portal cookie, yet a new sign-in must still end the browser's previous portal session.
 * The IdP is a small HTTP server at http://localhost: another site than the gateway at http://127.0.0.1, as a
 * real IdP is.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, type Request as BrowserRequest } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAML_ID, startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';
import { launchChromium } from '../../support/chromium.js';

let bed: PortalTestBed;
let browser: Browser;
let idp: Server;
beforeAll(async () => {
  idp = createServer((req, res) => {
    void answerAuthnRequest(new URL(req.url ?? '/', 'http://localhost').href).then((page) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    });
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  bed = await startPortalTestBed({
    samlSsoUrl: `http://localhost:${(idp.address() as AddressInfo).port}/sso`,
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await bed?.close();
  await new Promise((resolve) => idp?.close(resolve));
});

/** The test IdP's page for an AuthnRequest: a signed answer in a self-submitting HTTP-POST form. */
async function answerAuthnRequest(url: string): Promise<string> {
  const request = bed.saml.readRedirectRequest(url);
  const acs = request.acsUrl ?? '';
  const SAMLResponse = await bed.saml.createResponse({
    inResponseTo: request.id,
    destination: acs,
    recipient: acs,
    audience: request.issuer,
    nameId: 'erin@example.com',
    attributes: { email: 'erin@example.com', groups: ['developers'] },
    sign: 'assertion',
  });
  const relay =
    request.relayState === undefined
      ? ''
      : `<input type="hidden" name="RelayState" value="${request.relayState}">`;
  return `<!doctype html><title>Test IdP</title><form method="post" action="${acs}"><input type="hidden" name="SAMLResponse" value="${SAMLResponse}">${relay}<button>Continue</button></form><script>document.forms[0].submit()</script>`;
}

async function cookieValue(context: BrowserContext, name: string): Promise<string | undefined> {
  return (await context.cookies(bed.url)).find((cookie) => cookie.name === name)?.value;
}

describe('a new SAML sign-in in the same browser (headless Chromium, IdP on another site)', () => {
  it('old-portal-cookie-survives-new-saml-sign-in: the previous portal cookie and its role session stop working', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const acsPosts: BrowserRequest[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/saml/${SAML_ID}/acs`))
        acsPosts.push(request);
    });

    await page.goto(`${bed.url}/login/${SAML_ID}`);
    await page.waitForURL(`${bed.url}/`);
    const oldPortal = await cookieValue(context, 'fedgate_portal');
    const oldRoleSession = await cookieValue(context, 'fedgate_session');
    expect(oldPortal).toBeDefined();
    expect((await bed.authz(oldRoleSession)).status).toBe(200);

    await page.goto(`${bed.url}/login/${SAML_ID}`);
    await page.waitForURL(`${bed.url}/`);
    const newPortal = await cookieValue(context, 'fedgate_portal');
    expect(newPortal).toBeDefined();
    expect(newPortal).not.toBe(oldPortal);

    // The second answer really came without the portal cookie: the browser kept it from the cross-site POST.
    expect(acsPosts).toHaveLength(2);
    const secondCookies = (await acsPosts[1]?.allHeaders())?.['cookie'] ?? '';
    expect(secondCookies).not.toContain('fedgate_portal=');
    expect(secondCookies).toContain('fedgate_saml=');

    // Whoever copied the old cookies holds nothing now; the browser's new sign-in works.
    const stolen = await fetch(`${bed.url}/portal/session`, {
      headers: { cookie: `fedgate_portal=${oldPortal ?? ''}` },
    });
    expect(stolen.status).toBe(401);
    expect((await bed.authz(oldRoleSession)).status).toBe(401);
    expect((await bed.authz(await cookieValue(context, 'fedgate_session'))).status).toBe(200);
    const current = await fetch(`${bed.url}/portal/session`, {
      headers: { cookie: `fedgate_portal=${newPortal ?? ''}` },
    });
    expect(current.status).toBe(200);
    const retired = bed.fixture.audit.filter(
      (record) =>
        record.event === 'portal.logout' &&
        record.provider === SAML_ID &&
        record.details?.['reason'] === 'new-sign-in',
    );
    expect(retired).toHaveLength(1);
    await context.close();
  });

  it('a sign-in started with no portal session ends none', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const before = bed.fixture.audit.filter((record) => record.event === 'portal.logout').length;
    await page.goto(`${bed.url}/login/${SAML_ID}`);
    await page.waitForURL(`${bed.url}/`);
    expect(await cookieValue(context, 'fedgate_portal')).toBeDefined();
    expect(bed.fixture.audit.filter((record) => record.event === 'portal.logout')).toHaveLength(before);
    await context.close();
  });
});
