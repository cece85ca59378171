import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';
import { launchChromium } from '../../support/chromium.js';

let bed: PortalTestBed;
let browser: Browser;
beforeAll(async () => {
  bed = await startPortalTestBed({ consent: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

describe('a person in a real browser (headless Chromium)', () => {
  it('signs in through the OIDC IdP, picks a role, opens CLI credentials and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });

    await page.goto(`${bed.url}/`);
    await expect.poll(() => page.title()).toContain('Sign in');
    await page.getByRole('link', { name: 'Sign in with Corp OIDC' }).click();
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Password').fill('carol-pass');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`${bed.url}/`);
    await expect.poll(() => page.getByRole('heading', { name: 'Your roles' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Developer' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Auditor' }).isVisible()).toBe(true);
    const cookies = await context.cookies(bed.url);
    const portal = cookies.find((cookie) => cookie.name === 'fedgate_portal');
    expect(portal).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(await page.evaluate(() => document.cookie)).toBe('');

    await page.getByRole('button', { name: 'Open session as Auditor' }).click();
    await page.waitForURL(`${bed.url}/`);
    const session = (await context.cookies(bed.url)).find((cookie) => cookie.name === 'fedgate_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect((await bed.authz(session?.value)).status).toBe(200);
    // The roles page says which role session this browser holds, and until when (local time, time left).
    const active = page.getByRole('status');
    await expect
      .poll(() => active.innerText())
      .toMatch(/Active session: Auditor, until .+ \((\d+ min|1 h \d+ min) left\)/);
    expect(await active.locator('time').getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\dT/);

    await page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: 'Developer' }) })
      .getByRole('button', { name: 'CLI credentials' })
      .click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Credentials for Developer' }).isVisible())
      .toBe(true);
    const profile = await page.getByLabel('AWS profile').innerText();
    expect(profile).toMatch(/^aws_access_key_id = FSIA[A-Z0-9]+$/m);
    expect(profile).toMatch(/^aws_session_token = [\w-]+\.[\w-]+\.[\w-]+$/m);
    expect(profile).not.toContain('export AWS_');
    // The copy buttons appear (the portal script runs under the CSP) and copy the profile as shown.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bed.url });
    const copy = page.getByRole('button', { name: 'Copy' }).first();
    await expect.poll(() => copy.isVisible()).toBe(true);
    await copy.click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(profile);
    await page.goBack();

    await page.getByRole('button', { name: 'Sign out' }).click();
    // fedgate's own sign-out is done; the IdP asks to confirm its RP-initiated logout, then sends the browser back.
    await page.getByRole('button', { name: /sign me out/i }).click();
    await page.waitForURL(`${bed.url}/`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    expect((await bed.authz(session?.value)).status).toBe(401);
    const left = (await context.cookies(bed.url)).map((cookie) => cookie.name);
    expect(left).not.toContain('fedgate_portal');
    expect(left).not.toContain('fedgate_session');
    expect(blocked).toEqual([]);
    await context.close();
  });
});
