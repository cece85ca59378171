import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTestBed, type DemoTestBed } from './demo-test-bed.js';
import { launchChromium } from '../../support/chromium.js';

let bed: DemoTestBed;
let browser: Browser;
const shots = process.env['TMPDIR'] ?? '/tmp';

beforeAll(async () => {
  bed = await startDemoTestBed();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

describe('the demo in a real browser (headless Chromium)', () => {
  it('erin, a Developer without MFA, is denied a delete by the MFA guardrail and is shown why, with a working simulator link', async () => {
    const { demo } = bed;
    const context = await browser.newContext();
    const page = await context.newPage();

    // The orders app sends a stranger to sign in; erin signs in at the demo OIDC IdP and comes back.
    await page.goto(`${demo.ordersUrl}/orders`);
    await page.getByRole('link', { name: /Demo OIDC IdP/ }).click();
    await page.getByLabel('Username').fill('erin');
    await page.getByLabel('Password').fill('erin-demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${demo.ordersUrl}/orders`);
    await expect.poll(() => page.getByRole('heading', { name: 'Orders' }).isVisible()).toBe(true);
    expect(await page.locator('body').innerText()).toContain('assumed-role/Developer/erin@example.com');
    await page.screenshot({ path: `${shots}/fedgate-demo-orders.png`, fullPage: true });

    await page.getByRole('button', { name: 'Delete order 1001' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Denied' }).isVisible()).toBe(true);
    expect(await page.locator('body').innerText()).toContain('fedgate denied DELETE /orders/1001');
    expect(await page.locator('[data-field=layer]').innerText()).toBe('guardrail');
    expect(await page.locator('[data-field=policy]').innerText()).toBe('guardrails[0]');
    expect(await page.locator('[data-field=statement]').innerText()).toBe('DenyDeletesWithoutMfa');
    // The layer and the statement's name, never the policy text.
    const denied = await page.content();
    for (const policyText of ['BoolIfExists', 'Condition', '"Effect"', 'AllowByDefault'])
      expect(denied).not.toContain(policyText);
    await page.screenshot({ path: `${shots}/fedgate-demo-denied.png`, fullPage: true });

    await page.getByRole('link', { name: 'Open this request in the policy simulator' }).click();
    await page.waitForURL(/\/portal\/simulator\?/);
    expect(new URL(page.url()).origin).toBe(demo.gateway.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Policy simulator' }).isVisible()).toBe(true);
    expect(await page.getByLabel(/^Principal/).inputValue()).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Developer/erin@example.com',
    );
    expect(await page.getByLabel('Action').inputValue()).toBe('orders:DeleteOrder');
    expect(await page.getByLabel('Resource ARN').inputValue()).toBe('arn:fedgate:orders:::order/1001');
    expect(await page.getByLabel(/^Context keys/).inputValue()).toContain('aws:MultiFactorAuthPresent=false');
    expect(await page.locator('[data-field=decision]').innerText()).toBe('ExplicitDeny');
    expect(await page.locator('[data-field=layer]').innerText()).toContain('guardrail');
    expect(await page.locator('#sim-statements tbody').innerText()).toMatch(
      /guardrails\[0\]\s+DenyDeletesWithoutMfa\s+Deny/,
    );
    await page.screenshot({ path: `${shots}/fedgate-demo-simulator.png`, fullPage: true });

    // With MFA stated, the simulator shows what would change: the delete is allowed for her team's order.
    const contextKeys = page.getByLabel(/^Context keys/);
    await contextKeys.fill(
      (await contextKeys.inputValue()).replace(
        'aws:MultiFactorAuthPresent=false',
        'aws:MultiFactorAuthPresent=true',
      ),
    );
    await page.getByRole('button', { name: 'Simulate' }).click();
    await expect.poll(() => page.locator('[data-field=decision]').innerText()).toBe('Allow');
    await context.close();
  });
});
