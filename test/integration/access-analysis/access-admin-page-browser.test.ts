/**
 * Issue 15: the admin page (`GET /portal/access`) in headless Chromium, checked against the JSON API it
 * renders: the roles table, the per-day chart, the findings and the who-can form. The browser holds the
 * admin's role session cookie, as the portal sets it when a person opens a session of an admin role.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccessBed, type AccessBed } from './access-bed.js';
import { launchChromium } from '../../support/chromium.js';

let bed: AccessBed;
let browser: Browser;
let admin = '';
let developer = '';
const SHOTS = join(process.env['TMPDIR'] ?? '/tmp', 'fedgate-access-admin-page');

interface Overview {
  roles: {
    activity: {
      role: string;
      sessions: number;
      lastAssumed: { at: string; provider: string; subject: string } | null;
      days: { day: string; allowed: number; denied: number; sessions: number }[];
    };
    usedActions: string[];
    unusedActions: string[];
  }[];
  findings: { findings: { id: string }[] };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  bed = await startAccessBed();
  bed.clock.ms = Date.now();
  developer = await bed.assume('Developer', 'alice');
  for (const path of ['/orders/red/1', '/orders/red/2', '/orders/green/3'])
    await bed.authz(developer, 'GET', path);
  await bed.authz(developer, 'DELETE', '/orders/blue/4');
  const carol = await bed.assume('Auditor', 'carol');
  await bed.authz(carol, 'GET', '/orders/green/5');
  admin = await bed.assume('AccessAdmin', 'root');
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

async function signedIn(token: string, viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.addCookies([{ name: 'fedgate_session', value: token, url: bed.url, httpOnly: true }]);
  return context;
}

describe('the access-analysis admin page in a real browser', () => {
  it('the roles table and the chart show what the overview API answers', async () => {
    const api = await bed.api(admin, '/access/overview?days=30');
    expect(api.status).toBe(200);
    const overview = api.body as Overview;
    const context = await signedIn(admin);
    const page = await context.newPage();
    const response = await page.goto(`${bed.url}/portal/access?days=30`);
    expect(response?.status()).toBe(200);
    expect(await page.getByRole('heading', { name: 'Access reports', level: 1 }).isVisible()).toBe(true);

    for (const row of overview.roles) {
      const { activity } = row;
      const tr = page.locator(`#roles-table tr[data-role="${activity.role}"]`);
      const allowed = activity.days.reduce((n, d) => n + d.allowed, 0);
      const denied = activity.days.reduce((n, d) => n + d.denied, 0);
      expect([
        activity.role,
        await tr.locator('[data-field="sessions"]').innerText(),
        await tr.locator('[data-field="allowed"]').innerText(),
        await tr.locator('[data-field="denied"]').innerText(),
      ]).toEqual([activity.role, String(activity.sessions), String(allowed), String(denied)]);
      const lastAssumed = await tr.locator('[data-field="lastAssumed"]').innerText();
      if (activity.lastAssumed === null) expect(lastAssumed).toBe('never');
      else
        expect(lastAssumed).toContain(`${activity.lastAssumed.provider} · ${activity.lastAssumed.subject}`);
      const used = await tr.locator('[data-field="used"] li').allInnerTexts();
      expect(used).toEqual(row.usedActions);

      // One bar group per day, carrying that day's figures; a role with no activity says so instead.
      const bars = page.locator(`svg.chart[data-role="${activity.role}"] g[data-day]`);
      const active = activity.days.filter((d) => d.allowed + d.denied + d.sessions > 0);
      if (active.length === 0) {
        expect(await bars.count()).toBe(0);
        expect(await page.locator(`p[data-role="${activity.role}"]`).innerText()).toBe(
          'No activity in this window.',
        );
      } else {
        expect(await bars.count()).toBe(activity.days.length);
      }
      for (const day of active) {
        const group = page.locator(`svg.chart[data-role="${activity.role}"] g[data-day="${day.day}"]`);
        expect([
          await group.getAttribute('data-allowed'),
          await group.getAttribute('data-denied'),
          await group.getAttribute('data-sessions'),
        ]).toEqual([String(day.allowed), String(day.denied), String(day.sessions)]);
      }
    }
    // The numbers the test itself caused, so that agreement on an empty page cannot pass.
    const developerRow = page.locator('#roles-table tr[data-role="Developer"]');
    expect(await developerRow.locator('[data-field="allowed"]').innerText()).toBe('2');
    expect(await developerRow.locator('[data-field="denied"]').innerText()).toBe('2');
    expect(await page.locator('#findings-table tbody tr').count()).toBe(overview.findings.findings.length);
    expect(overview.findings.findings.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'desktop.png'), fullPage: true });
    await context.close();
  });

  it('the who-can form answers as GET /access/who-can does', async () => {
    const context = await signedIn(admin);
    const page = await context.newPage();
    await page.goto(`${bed.url}/portal/access`);
    await page.getByLabel('Action').fill('orders:DeleteOrder');
    await page.getByLabel('Resource ARN').fill('arn:fedgate:orders:::order/red/5');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.waitForSelector('#who-can-table');
    const rows = await page
      .locator('#who-can-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-role'), tr.getAttribute('data-access')]));
    const api = await bed.api(
      admin,
      '/access/who-can?action=orders:DeleteOrder&resource=arn:fedgate:orders:::order/red/5',
    );
    const expected = (api.body as { roles: { role: string; access: string }[] }).roles.map((r) => [
      r.role,
      r.access,
    ]);
    expect(rows).toEqual(expected);
    expect(rows).toContainEqual(['Developer', 'allowed-with-context']);
    await page.screenshot({ path: join(SHOTS, 'who-can.png'), fullPage: true });
    await context.close();
  });

  it('on a phone: nothing wider than the screen except inside the scrolling tables', async () => {
    const context = await signedIn(admin, { width: 375, height: 740 });
    const page = await context.newPage();
    await page.goto(`${bed.url}/portal/access`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SHOTS, 'phone.png'), fullPage: true });
    await context.close();
  });

  it('a role without fedgate:ViewAccessReports gets a "Not allowed" page, and no cookie a sign-in page', async () => {
    const context = await signedIn(developer);
    const page = await context.newPage();
    const response = await page.goto(`${bed.url}/portal/access`);
    expect(response?.status()).toBe(403);
    expect(await page.getByRole('heading', { name: 'Not allowed' }).isVisible()).toBe(true);
    expect(await page.locator('#roles-table').count()).toBe(0);
    await context.close();

    const anonymous = await browser.newContext();
    const blank = await anonymous.newPage();
    const refused = await blank.goto(`${bed.url}/portal/access`);
    expect(refused?.status()).toBe(401);
    expect(await blank.locator('#roles-table').count()).toBe(0);
    await anonymous.close();
  });
});
