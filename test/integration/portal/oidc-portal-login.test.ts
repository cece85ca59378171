import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser, hiddenInput, setCookieLine } from './http-browser.js';
import { OIDC_ID, startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';

let bed: PortalTestBed;
beforeAll(async () => {
  bed = await startPortalTestBed();
});
afterAll(async () => {
  await bed?.close();
});

describe('portal sign-in through OpenID Connect (oidc-provider)', () => {
  it('one trusted role is assumed at once: HttpOnly SameSite=Lax session and portal cookies, accepted by /authz', async () => {
    const browser = new HttpBrowser();
    const callback = await bed.oidcLogin(browser, 'alice');

    expect(callback.status).toBe(303);
    expect(callback.location?.href).toBe(`${bed.url}/`);
    for (const name of ['fedgate_session', 'fedgate_portal']) {
      const line = setCookieLine(callback, name) ?? '';
      expect(line).toMatch(/; HttpOnly/i);
      expect(line).toMatch(/; SameSite=Lax/i);
      expect(line).not.toMatch(/; Secure/i);
    }
    const sessions = await bed.fixture.gateway.sessions.list({ subject: 'alice' });
    expect(sessions.map((session) => session.roleName)).toEqual(['Developer']);

    const allowed = await bed.authz(browser.cookie('fedgate_session'));
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-fedgate-principal')).toContain('assumed-role/Developer/');
  });

  it('two trusted roles: the choice page lists both with descriptions, and POST /portal/assume mints the chosen one', async () => {
    const browser = new HttpBrowser();
    const callback = await bed.oidcLogin(browser, 'carol', '/after/login?x=1');

    expect(callback.status).toBe(303);
    expect(setCookieLine(callback, 'fedgate_session')).toBeUndefined();
    expect(browser.cookie('fedgate_portal')).toBeDefined();
    expect(await bed.fixture.gateway.sessions.list({ subject: 'carol' })).toEqual([]);

    const page = await browser.send(callback.location ?? '');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Developer');
    expect(page.body).toContain('Engineers: read every order');
    expect(page.body).toContain('Auditor');
    expect(page.body).toContain('Auditors: read-only review of orders');
    const csrf = hiddenInput(page.body, 'csrf');
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hiddenInput(page.body, 'return_to')).toBe('/after/login?x=1');

    const assumed = await browser.send(`${bed.url}/portal/assume`, {
      form: { csrf: csrf ?? '', role: 'Auditor', return_to: '/after/login?x=1' },
    });
    expect(assumed.status).toBe(303);
    expect(assumed.location?.href).toBe(`${bed.url}/after/login?x=1`);
    expect(setCookieLine(assumed, 'fedgate_session')).toMatch(/; HttpOnly; SameSite=Lax/i);
    const sessions = await bed.fixture.gateway.sessions.list({ subject: 'carol' });
    expect(sessions.map((session) => session.roleName)).toEqual(['Auditor']);
    expect((await bed.authz(browser.cookie('fedgate_session'))).status).toBe(200);
  });

  it('assuming a role without the CSRF token is refused with CsrfTokenInvalid and mints nothing', async () => {
    const browser = new HttpBrowser();
    await bed.oidcLogin(browser, 'carol');
    const before = (await bed.fixture.gateway.sessions.list({ subject: 'carol' })).length;

    const forged = await browser.send(`${bed.url}/portal/assume`, { form: { role: 'Developer' } });

    expect(forged.status).toBe(403);
    expect(forged.headers.get('content-type')).toMatch(/^text\/html/);
    expect(forged.body).toContain('<code>CsrfTokenInvalid</code>');
    expect(setCookieLine(forged, 'fedgate_session')).toBeUndefined();
    expect(await bed.fixture.gateway.sessions.list({ subject: 'carol' })).toHaveLength(before);
  });

  it('assuming a role the identity is not trusted for is refused and mints nothing', async () => {
    const browser = new HttpBrowser();
    await bed.oidcLogin(browser, 'alice');
    const before = (await bed.fixture.gateway.sessions.list({ subject: 'alice' })).length;
    const page = await browser.send(`${bed.url}/`);
    // alice sees only Developer; a hand-made form for Auditor must not work.
    expect(page.body).not.toContain('Auditor');

    const refused = await browser.send(`${bed.url}/portal/assume`, {
      form: { csrf: hiddenInput(page.body, 'csrf') ?? '', role: 'Auditor' },
    });

    expect(refused.status).toBe(403);
    expect(refused.body).toContain('<code>AccessDenied</code>');
    expect(setCookieLine(refused, 'fedgate_session')).toBeUndefined();
    expect(await bed.fixture.gateway.sessions.list({ subject: 'alice' })).toHaveLength(before);
  });

  it('no role trusts the identity: a page naming provider, subject and groups, and no cookie and no session issued', async () => {
    const browser = new HttpBrowser();
    const callback = await bed.oidcLogin(browser, 'dave');

    expect(callback.status).toBe(403);
    expect(callback.headers.get('content-type')).toMatch(/^text\/html/);
    expect(callback.body).toContain('No role trusts this identity');
    // The provider as people know it (its displayName), not its configuration id.
    expect(callback.body).toContain('Corp OIDC');
    expect(callback.body).toContain('dave');
    expect(callback.body).toContain('contractors');
    expect(setCookieLine(callback, 'fedgate_portal')).toBeUndefined();
    expect(setCookieLine(callback, 'fedgate_session')).toBeUndefined();
    expect(browser.cookie('fedgate_portal')).toBeUndefined();
    expect(await bed.fixture.gateway.sessions.list({ subject: 'dave' })).toEqual([]);
    const audit = bed.fixture.audit.filter((record) => record.subject === 'dave');
    expect(audit.map((record) => record.event)).not.toContain('role.assumed');
  });

  it('the OIDC callback is refused when the browser binding cookie is missing (login started in another browser)', async () => {
    const starter = new HttpBrowser();
    const start = await starter.send(`${bed.url}/login/${OIDC_ID}`);
    const callback = await bed.oidc.login(start.location ?? '', { username: 'alice' });
    const before = (await bed.fixture.gateway.sessions.list({ subject: 'alice' })).length;

    const victim = new HttpBrowser();
    const answer = await victim.send(callback);

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(setCookieLine(answer, 'fedgate_portal')).toBeUndefined();
    expect(await bed.fixture.gateway.sessions.list({ subject: 'alice' })).toHaveLength(before);
  });

  it('a person who cancels at the IdP lands on a sign-in failed page, with nothing issued', async () => {
    const browser = new HttpBrowser();
    const start = await browser.send(`${bed.url}/login/${OIDC_ID}`);
    const callback = await bed.oidc.login(start.location ?? '', { username: 'alice', deny: true });
    expect(callback.searchParams.get('error')).toBe('access_denied');

    const answer = await browser.send(callback);

    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.body).toContain('Sign-in failed');
    expect(browser.cookie('fedgate_portal')).toBeUndefined();
  });

  it('an unknown identity provider is a 404 page, not a redirect anywhere', async () => {
    const answer = await new HttpBrowser().send(`${bed.url}/login/nobody`);
    expect(answer.status).toBe(404);
    expect(answer.location).toBeUndefined();
  });
});
