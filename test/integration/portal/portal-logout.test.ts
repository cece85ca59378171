import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { portalHandle } from '../../../src/portal/portal-session-store.js';
import { HttpBrowser, hiddenInput, setCookieLine } from './http-browser.js';
import { startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';

let bed: PortalTestBed;
beforeAll(async () => {
  bed = await startPortalTestBed();
});
afterAll(async () => {
  await bed?.close();
});

async function signedInCarolWithTwoSessions(): Promise<{
  browser: HttpBrowser;
  csrf: string;
  ids: string[];
}> {
  const browser = new HttpBrowser();
  const before = new Set((await bed.fixture.gateway.sessions.list({ subject: 'carol' })).map((s) => s.id));
  await bed.oidcLogin(browser, 'carol');
  const csrf = hiddenInput((await browser.send(`${bed.url}/`)).body, 'csrf') ?? '';
  await browser.send(`${bed.url}/portal/assume`, { form: { csrf, role: 'Developer' } });
  await browser.send(`${bed.url}/portal/credentials`, {
    json: { role: 'Auditor' },
    headers: { 'x-csrf-token': csrf },
  });
  const ids = (await bed.fixture.gateway.sessions.list({ subject: 'carol' }))
    .map((session) => session.id)
    .filter((id) => !before.has(id));
  expect(ids).toHaveLength(2);
  return { browser, csrf, ids };
}

describe('POST /logout', () => {
  it('revokes the portal session and its role sessions, clears both cookies, and the old session cookie gets 401', async () => {
    const { browser, csrf, ids } = await signedInCarolWithTwoSessions();
    const sessionCookie = browser.cookie('fedgate_session');
    const portalCookie = browser.cookie('fedgate_portal') ?? '';
    expect((await bed.authz(sessionCookie)).status).toBe(200);

    const answer = await browser.send(`${bed.url}/logout`, { form: { csrf } });

    expect(answer.status).toBe(303);
    // The OIDC IdP supports RP-initiated logout: the browser goes there next.
    expect(answer.location?.origin).toBe(bed.oidc.issuer);
    for (const name of ['fedgate_portal', 'fedgate_session']) {
      expect(setCookieLine(answer, name)).toMatch(/Expires=Thu, 01 Jan 1970/);
    }
    const live = (await bed.fixture.gateway.sessions.list({ subject: 'carol' })).map((session) => session.id);
    expect(live.filter((id) => ids.includes(id))).toEqual([]);
    const refused = await bed.authz(sessionCookie);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');

    const replayedPortal = new HttpBrowser();
    replayedPortal.setCookie('fedgate_portal', portalCookie);
    const page = await replayedPortal.send(`${bed.url}/`);
    expect(page.body).toContain('Choose your identity provider');
    const credentials = await replayedPortal.send(`${bed.url}/portal/credentials`, {
      json: { role: 'Developer' },
      headers: { 'x-csrf-token': csrf },
    });
    expect(credentials.status).toBe(401);
  });

  it('OIDC sign-out sends id_token_hint: the ID token of the sign-in, kept only encrypted, which the IdP accepts', async () => {
    const browser = new HttpBrowser();
    await bed.oidcLogin(browser, 'alice');
    const portalCookie = browser.cookie('fedgate_portal') ?? '';
    const record = (await bed.fixture.gateway.store.get(`portal:${portalHandle(portalCookie)}`)) ?? '';
    expect(record).toContain('encryptedIdToken');
    // No JWT in the clear in the store record (header.payload.signature, base64url).
    expect(record).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    const csrf = hiddenInput((await browser.send(`${bed.url}/`)).body, 'csrf') ?? '';

    const answer = await browser.send(`${bed.url}/logout`, { form: { csrf } });
    expect(answer.status).toBe(303);
    const endSession = answer.location ?? new URL('about:blank');
    expect(endSession.origin).toBe(bed.oidc.issuer);
    const hint = endSession.searchParams.get('id_token_hint') ?? '';
    expect(decodeJwt(hint)).toMatchObject({ iss: bed.oidc.issuer, aud: 'fedgate-portal-test', sub: 'alice' });
    expect(endSession.searchParams.get('client_id')).toBe('fedgate-portal-test');

    // The IdP (oidc-provider) takes the hint: its sign-out page, not an error about it.
    const idpAnswer = await fetch(endSession, { redirect: 'manual' });
    const page = await idpAnswer.text();
    expect(idpAnswer.status).toBe(200);
    expect(page).not.toMatch(/invalid_request|id_token_hint/i);
  });

  it('a logout without the CSRF token (a cross-site form) is refused and signs nobody out', async () => {
    const { browser, ids } = await signedInCarolWithTwoSessions();

    const forged = await browser.send(`${bed.url}/logout`, { form: {} });

    expect(forged.status).toBe(403);
    expect(forged.body).toContain('CsrfTokenInvalid');
    expect(setCookieLine(forged, 'fedgate_portal')).toBeUndefined();
    const live = (await bed.fixture.gateway.sessions.list({ subject: 'carol' })).map((session) => session.id);
    expect(ids.every((id) => live.includes(id))).toBe(true);
    expect((await bed.authz(browser.cookie('fedgate_session'))).status).toBe(200);
  });

  it("a logout with another portal session's CSRF token is refused", async () => {
    const first = await signedInCarolWithTwoSessions();
    const second = await signedInCarolWithTwoSessions();

    const forged = await first.browser.send(`${bed.url}/logout`, { form: { csrf: second.csrf } });

    expect(forged.status).toBe(403);
    expect((await bed.authz(first.browser.cookie('fedgate_session'))).status).toBe(200);
  });
});
