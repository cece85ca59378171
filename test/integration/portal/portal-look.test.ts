/**
 * The portal as a person sees it (issue 18): branding from the configuration, error pages for browsers,
 * legibility in dark mode and on a phone, checked in headless Chromium.
 */
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';
import { launchChromium } from '../../support/chromium.js';

const LOGO =
  'data:image/svg+xml;base64,' +
  Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>').toString('base64');

let bed: PortalTestBed;
let branded: GatewayFixture;
let browser: Browser;
beforeAll(async () => {
  // The default look (the dark-mode and phone checks are about it), and a branded gateway.
  bed = await startPortalTestBed();
  branded = await startGatewayFixture({
    config: { portal: { title: 'Acme Access', logoUrl: LOGO, accentColor: '#7c2d12' } },
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await bed?.close();
  await branded?.close();
});

/** WCAG 2 contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string): number => {
    const [r, g, bl] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
      const c = Number(part) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

async function buttonContrast(page: Page, selector: string): Promise<number> {
  const [color, background] = await page
    .locator(selector)
    .first()
    .evaluate((element) => {
      const style = getComputedStyle(element);
      let node: Element | null = element;
      let bg = style.backgroundColor;
      while (node !== null && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
        node = node.parentElement;
        bg = node === null ? 'rgb(255, 255, 255)' : getComputedStyle(node).backgroundColor;
      }
      return [style.color, bg];
    });
  return contrast(color, background);
}

describe('the portal as a person sees it', () => {
  it('applies portal.title, the logo and the accent colour', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${branded.url}/no-such-page`);
    expect(await page.title()).toBe('Page not found · Acme Access');
    expect(await page.locator('header .brand').innerText()).toBe('Acme Access');
    expect(await page.locator('header .brand img').getAttribute('src')).toBe(LOGO);
    const accent = await page
      .locator('a.button')
      .first()
      .evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(accent).toBe('rgb(124, 45, 18)');
    await context.close();
  });

  it('lists identity providers by displayName; without portal.title the brand is fedgate', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${bed.url}/`);
    expect(await page.title()).toBe('Sign in · fedgate');
    expect(await page.getByRole('link', { name: 'Sign in with Corp OIDC' }).isVisible()).toBe(true);
    await context.close();
  });

  it('dark mode: primary and secondary buttons and links keep a WCAG AA contrast (4.5:1)', async () => {
    const context = await browser.newContext({ colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${bed.url}/`);
    expect(await buttonContrast(page, 'a.button')).toBeGreaterThanOrEqual(4.5);
    await page.screenshot({
      path: `${process.env['TMPDIR'] ?? '/tmp'}/fedgate-portal-dark.png`,
      fullPage: true,
    });
    await page.goto(`${bed.url}/no-such-page`);
    expect(await buttonContrast(page, 'a.button')).toBeGreaterThanOrEqual(4.5);
    await context.close();
  });

  it('on a phone (390 px wide) nothing scrolls sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${bed.url}/`);
    const [scrollWidth, innerWidth] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      window.innerWidth,
    ]);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await page.screenshot({
      path: `${process.env['TMPDIR'] ?? '/tmp'}/fedgate-portal-phone.png`,
      fullPage: true,
    });
    await context.close();
  });

  it('a browser gets an HTML page for a 404 with a way back; an API client keeps problem+json', async () => {
    const html = await fetch(`${bed.url}/no-such-page`, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await html.text();
    expect(body).toContain('Page not found');
    expect(body).toContain('href="/"');
    for (const accept of ['*/*', 'application/json']) {
      const api = await fetch(`${bed.url}/no-such-page`, { headers: { accept } });
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });
});
