import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OidcRelyingParty } from '../../../src/identity-providers/oidc/index.js';
import { createMemoryStore } from '../../../src/store/index.js';
import { startTestOidcIdp } from '../../support/oidc-idp.js';
import type { TestOidcIdp } from '../../support/oidc-idp.js';
import { launchChromium } from '../../support/chromium.js';

const PUBLIC_URL = 'http://127.0.0.1:18081';
const REDIRECT_URI = `${PUBLIC_URL}/oidc/corp/callback`;

let idp: TestOidcIdp;
let browser: Browser;

beforeAll(async () => {
  idp = await startTestOidcIdp({
    clients: [{ clientId: 'fedgate', clientSecret: 'client-secret', redirectUris: [REDIRECT_URI] }],
    accounts: { carol: { password: 'carol-pass', amr: ['pwd', 'otp'], claims: { groups: ['sre'] } } },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  await idp.stop();
});

it('a person signs in at the test IdP in a real browser (login and consent pages) and the RP accepts the callback', async () => {
  const store = createMemoryStore();
  const rp = await OidcRelyingParty.create(
    {
      id: 'corp',
      issuer: idp.issuer,
      clientId: 'fedgate',
      clientSecret: 'client-secret',
      scopes: ['openid'],
      redirectUri: REDIRECT_URI,
      subject: 'claim:sub',
      groups: 'claim:groups',
      tags: {},
      userinfo: false,
      allowedAlgorithms: ['RS256'],
    },
    { store },
  );
  const { authorizationUrl, browserBinding } = await rp.beginLogin({});
  const context = await browser.newContext();
  const page = await context.newPage();
  let callback: string | undefined;
  // fedgate is not running in this test: the browser's arrival at the redirect URI is captured instead.
  await page.route(`${PUBLIC_URL}/**`, async (route) => {
    callback = route.request().url();
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'callback received' });
  });

  await page.goto(authorizationUrl);
  await page.getByLabel('Username').fill('carol');
  await page.getByLabel('Password').fill('carol-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${REDIRECT_URI}?**`);

  const { identity } = await rp.completeLogin(new URL(callback ?? 'about:blank'), browserBinding);
  expect(identity).toMatchObject({ subject: 'carol', groups: ['sre'], mfa: true });
  await context.close();
  await store.close();
});
