import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser, hiddenInput } from './http-browser.js';
import { startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';

let bed: PortalTestBed;
const pages: { name: string; headers: Headers }[] = [];
beforeAll(async () => {
  bed = await startPortalTestBed();
  const browser = new HttpBrowser();
  pages.push({ name: 'sign-in page', headers: (await browser.send(`${bed.url}/`)).headers });
  await bed.oidcLogin(browser, 'carol');
  const roles = await browser.send(`${bed.url}/`);
  pages.push({ name: 'roles page', headers: roles.headers });
  const credentials = await browser.send(`${bed.url}/portal/credentials`, {
    form: { csrf: hiddenInput(roles.body, 'csrf') ?? '', role: 'Developer' },
  });
  pages.push({ name: 'credentials page', headers: credentials.headers });
  pages.push({ name: 'no-role page', headers: (await bed.oidcLogin(new HttpBrowser(), 'dave')).headers });
});
afterAll(async () => {
  await bed?.close();
});

describe('security headers on portal pages (plain-HTTP publicUrl)', () => {
  it('every page has a CSP without inline scripts that forbids framing by other sites', () => {
    for (const page of pages) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp, page.name).toContain("default-src 'self'");
      expect(csp, page.name).toContain("script-src 'self'");
      expect(csp, page.name).toMatch(/frame-ancestors '(self|none)'/);
      expect(csp, page.name).toContain("object-src 'none'");
      expect(csp, page.name).not.toContain('upgrade-insecure-requests');
    }
  });

  it('every page sends X-Frame-Options, nosniff, a referrer policy and no-store', () => {
    for (const page of pages) {
      expect(page.headers.get('x-frame-options'), page.name).toMatch(/^(SAMEORIGIN|DENY)$/);
      expect(page.headers.get('x-content-type-options'), page.name).toBe('nosniff');
      expect(page.headers.get('referrer-policy'), page.name).toBe('no-referrer');
      expect(page.headers.get('cache-control'), page.name).toBe('no-store');
      expect(page.headers.get('x-powered-by'), page.name).toBeNull();
    }
  });

  it('no HSTS is sent when the public URL is http (it would pin loopback demos to https)', () => {
    for (const page of pages) expect(page.headers.get('strict-transport-security'), page.name).toBeNull();
  });
});
