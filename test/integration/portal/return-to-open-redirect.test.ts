import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from './http-browser.js';
import {
  ALLOWED_RETURN_HOST,
  OIDC_ID,
  SAML_ID,
  startPortalTestBed,
  type PortalTestBed,
} from './portal-test-bed.js';

let bed: PortalTestBed;
beforeAll(async () => {
  bed = await startPortalTestBed({ samlIdpInitiated: true });
});
afterAll(async () => {
  await bed?.close();
});

describe('return_to after a login never leaves the allowed hosts', () => {
  it.each([
    ['a relative path with its query', '/orders/42?view=full', '/orders/42?view=full'],
    [
      'an absolute URL on an allowed host',
      `https://${ALLOWED_RETURN_HOST}/reports`,
      `https://${ALLOWED_RETURN_HOST}/reports`,
    ],
  ])('%s is kept', async (_name, returnTo, expected) => {
    const answer = await bed.oidcLogin(new HttpBrowser(), 'alice', returnTo);
    expect(answer.status).toBe(303);
    expect(answer.location?.href).toBe(new URL(expected, bed.url).href);
  });

  it.each([
    ['another site', 'https://evil.example/'],
    ['a scheme-relative URL', '//evil.example'],
    ['a backslash path browsers read as a host', '/\\evil.example'],
    ['a javascript: URL', 'javascript:alert(document.cookie)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a host that only ends like the allowed one', `https://evil${ALLOWED_RETURN_HOST}/`],
    ['credentials before an allowed host', `https://${ALLOWED_RETURN_HOST}@evil.example/`],
    ['a tab inside the scheme-relative prefix', '/\t/evil.example'],
  ])('%s is dropped: the login ends on the portal', async (_name, returnTo) => {
    const answer = await bed.oidcLogin(new HttpBrowser(), 'alice', returnTo);
    expect(answer.status).toBe(303);
    expect(answer.location?.href).toBe(`${bed.url}/`);
  });

  it('an unsafe return_to is not even carried to the IdP or into the sign-in links', async () => {
    const browser = new HttpBrowser();
    const signIn = await browser.send(`${bed.url}/login?return_to=${encodeURIComponent('//evil.example')}`);
    expect(signIn.status).toBe(200);
    expect(signIn.body).not.toContain('evil.example');
    const start = await browser.send(
      `${bed.url}/login/${OIDC_ID}?return_to=${encodeURIComponent('//evil.example')}`,
    );
    expect(start.location?.href).not.toContain('evil.example');
  });

  it('POST /portal/assume ignores an off-site return_to too', async () => {
    const browser = new HttpBrowser();
    await bed.oidcLogin(browser, 'carol');
    const page = await browser.send(`${bed.url}/`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const answer = await browser.send(`${bed.url}/portal/assume`, {
      form: { csrf, role: 'Developer', return_to: 'https://evil.example/' },
    });
    expect(answer.status).toBe(303);
    expect(answer.location?.href).toBe(`${bed.url}/`);
  });
});

/** Values that look like paths on the gateway but normalise (as a browser resolves them) to `//evil.com`. */
const NORMALISING_OFF_SITE = ['/.//evil.com', '/%2e//evil.com', '/x/..//evil.com', '/%2E%2E//evil.com'];

describe('return_to is validated after normalisation, on every path that redirects', () => {
  it.each(NORMALISING_OFF_SITE)('oidc-return-to %s: the login ends on the portal', async (returnTo) => {
    const answer = await bed.oidcLogin(new HttpBrowser(), 'alice', returnTo);
    expect(answer.status).toBe(303);
    expect(answer.location?.href).toBe(`${bed.url}/`);
  });

  /**
   * An unsolicited (IdP-initiated) SAML response stops at the "Continue as …?" page; the person confirms it with a
   * same-origin POST from the same browser, and only then is RelayState followed.
   */
  async function confirmUnsolicited(acs: string, form: Record<string, string>) {
    const browser = new HttpBrowser();
    const interstitial = await browser.send(acs, { form });
    expect(interstitial.status).toBe(200);
    const action = /<form method="post" action="([^"]+)"/.exec(interstitial.body)?.[1] ?? '';
    const handle = /name="handle" value="([^"]+)"/.exec(interstitial.body)?.[1] ?? '';
    return browser.send(new URL(action, bed.url), { form: { handle }, headers: { origin: bed.url } });
  }

  it.each(NORMALISING_OFF_SITE)(
    'idp-initiated-saml-relaystate %s: an unsolicited SAML login ends on the portal',
    async (relayState) => {
      const acs = `${bed.url}/saml/${SAML_ID}/acs`;
      const SAMLResponse = await bed.saml.createResponse({
        destination: acs,
        recipient: acs,
        audience: `${bed.url}/saml/${SAML_ID}/metadata`,
        nameId: 'ivan@example.com',
        attributes: { email: 'ivan@example.com', groups: ['developers'] },
        sign: 'assertion',
      });
      const answer = await confirmUnsolicited(acs, { SAMLResponse, RelayState: relayState });
      expect(answer.status).toBe(303);
      expect(answer.location?.href).toBe(`${bed.url}/`);
    },
  );

  it('an unsolicited SAML login with a plain RelayState path still returns there', async () => {
    const acs = `${bed.url}/saml/${SAML_ID}/acs`;
    const SAMLResponse = await bed.saml.createResponse({
      destination: acs,
      recipient: acs,
      audience: `${bed.url}/saml/${SAML_ID}/metadata`,
      nameId: 'judy@example.com',
      attributes: { email: 'judy@example.com', groups: ['developers'] },
      sign: 'assertion',
    });
    const answer = await confirmUnsolicited(acs, { SAMLResponse, RelayState: '/orders/7' });
    expect(answer.location?.href).toBe(`${bed.url}/orders/7`);
  });

  it.each(NORMALISING_OFF_SITE)(
    'portal-assume-return-to %s: the role choice ends on the portal',
    async (returnTo) => {
      const browser = new HttpBrowser();
      await bed.oidcLogin(browser, 'carol');
      const page = await browser.send(`${bed.url}/`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const answer = await browser.send(`${bed.url}/portal/assume`, {
        form: { csrf, role: 'Developer', return_to: returnTo },
      });
      expect(answer.status).toBe(303);
      expect(answer.location?.href).toBe(`${bed.url}/`);
    },
  );

  it.each(NORMALISING_OFF_SITE)('logout-return-to %s: sign-out ends on the portal', async (returnTo) => {
    const answer = await new HttpBrowser().send(`${bed.url}/logout`, { form: { return_to: returnTo } });
    expect(answer.status).toBe(303);
    expect(answer.location?.href).toBe(`${bed.url}/`);
  });

  it('logout with a return_to on the gateway goes there', async () => {
    const answer = await new HttpBrowser().send(`${bed.url}/logout`, { form: { return_to: '/signed-out' } });
    expect(answer.location?.href).toBe(`${bed.url}/signed-out`);
  });
});
