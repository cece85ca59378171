import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from './http-browser.js';
import { ALLOWED_RETURN_HOST, OIDC_ID, startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';

let bed: PortalTestBed;
beforeAll(async () => {
  bed = await startPortalTestBed();
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
