/**
 * Issue 11 items 6 and 8 through the real portal (OIDC IdP, composition root): a session chained from a portal
 * sign-in ends with the sign-in, chaining a role to itself renews nothing, and signing in again in the same
 * browser ends the previous portal session for whoever still holds its cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from './http-browser.js';
import { startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';

let bed: PortalTestBed;
let offsetMs = 0;
beforeAll(async () => {
  bed = await startPortalTestBed({
    selfChaining: true,
    sessions: { portalDuration: '5m', defaultDuration: '1h' },
    now: () => Date.now() + offsetMs,
  });
});
afterAll(async () => {
  await bed?.close();
});

interface Credentials {
  readonly SessionToken: string;
  readonly Expiration: string;
}

async function chain(token: string, name: string): Promise<Credentials> {
  const response = await fetch(`${bed.url}/sts/assume-role`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ RoleName: 'Developer', RoleSessionName: name, DurationSeconds: 3600 }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { Credentials: Credentials }).Credentials;
}

async function signedInAlice(): Promise<{ browser: HttpBrowser; roleSession: string; signInEnds: number }> {
  const browser = new HttpBrowser();
  await bed.oidcLogin(browser, 'alice');
  const roleSession = browser.cookie('fedgate_session') ?? '';
  expect(roleSession).not.toBe('');
  const portal = await browser.send(`${bed.url}/portal/session`);
  expect(portal.status).toBe(200);
  const signInEnds = Date.parse((JSON.parse(portal.body) as { expiration: string }).expiration);
  return { browser, roleSession, signInEnds };
}

describe('sessions derived from a portal sign-in (portalDuration 5m)', () => {
  it('chained-session-outlives-portal-sign-in: a session chained from the sign-in ends with it, and /authz refuses it after', async () => {
    offsetMs = 0;
    const { roleSession, signInEnds } = await signedInAlice();
    const chained = await chain(roleSession, 'chained-1');
    expect(Date.parse(chained.Expiration)).toBeLessThanOrEqual(signInEnds);
    const twice = await chain(chained.SessionToken, 'chained-2');
    expect(Date.parse(twice.Expiration)).toBeLessThanOrEqual(signInEnds);
    expect((await bed.authz(twice.SessionToken)).status).toBe(200);

    // The sign-in has ended: nothing derived from it still passes.
    offsetMs = signInEnds - Date.now() + 1000;
    for (const token of [roleSession, chained.SessionToken, twice.SessionToken])
      expect((await bed.authz(token)).status).toBe(401);
    offsetMs = 0;
  });

  it('self-chaining-renews-lifetime: chaining a role to itself never moves the end of the session', async () => {
    offsetMs = 0;
    const { roleSession } = await signedInAlice();
    const first = await chain(roleSession, 'self-1');
    offsetMs = 60_000;
    const again = await chain(first.SessionToken, 'self-2');
    offsetMs = 120_000;
    const third = await chain(again.SessionToken, 'self-3');
    expect(Date.parse(again.Expiration)).toBeLessThanOrEqual(Date.parse(first.Expiration));
    expect(Date.parse(third.Expiration)).toBeLessThanOrEqual(Date.parse(first.Expiration));
    offsetMs = 0;
  });

  it('revoking the role session a chain started from (POST /sts/revoke) refuses every session chained from it', async () => {
    offsetMs = 0;
    const { roleSession } = await signedInAlice();
    const chained = await chain(roleSession, 'rev-1');
    const grandchild = await chain(chained.SessionToken, 'rev-2');
    // Cached by the authorizer before the revocation.
    expect((await bed.authz(grandchild.SessionToken)).status).toBe(200);
    const revoked = await fetch(`${bed.url}/sts/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${roleSession}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(revoked.status).toBe(200);
    await expect
      .poll(async () => (await bed.authz(grandchild.SessionToken)).status, { timeout: 5000, interval: 50 })
      .toBe(401);
    expect((await bed.authz(chained.SessionToken)).status).toBe(401);
  });
});

describe('a new sign-in in the same browser', () => {
  it('old-portal-cookie-survives-new-sign-in: the previous portal cookie and its role session stop working', async () => {
    offsetMs = 0;
    const browser = new HttpBrowser();
    await bed.oidcLogin(browser, 'alice');
    const oldPortal = browser.cookie('fedgate_portal') ?? '';
    const oldRoleSession = browser.cookie('fedgate_session');
    expect((await bed.authz(oldRoleSession)).status).toBe(200);

    await bed.oidcLogin(browser, 'alice');
    expect(browser.cookie('fedgate_portal')).not.toBe(oldPortal);
    expect((await browser.send(`${bed.url}/portal/session`)).status).toBe(200);

    const thief = new HttpBrowser();
    thief.setCookie('fedgate_portal', oldPortal);
    expect((await thief.send(`${bed.url}/portal/session`)).status).toBe(401);
    expect((await thief.send(`${bed.url}/`)).body).toContain('Choose your identity provider');
    expect((await bed.authz(oldRoleSession)).status).toBe(401);
    expect((await bed.authz(browser.cookie('fedgate_session'))).status).toBe(200);
    const retired = bed.fixture.audit.filter(
      (record) => record.event === 'portal.logout' && record.details?.['reason'] === 'new-sign-in',
    );
    expect(retired.length).toBeGreaterThan(0);
  });
});
