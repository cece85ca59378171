import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser, setCookieLine } from './http-browser.js';
import { SAML_ID, startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';

let bed: PortalTestBed;
beforeAll(async () => {
  bed = await startPortalTestBed();
});
afterAll(async () => {
  await bed?.close();
});

/** Starts an SP-initiated login and returns the IdP's signed answer to it, ready for the ACS form. */
async function samlAnswer(
  browser: HttpBrowser,
  person: { email: string; groups: readonly string[] },
  returnTo?: string,
): Promise<Record<string, string>> {
  const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
  const start = await browser.send(`${bed.url}/login/${SAML_ID}${query}`);
  expect(start.status).toBe(302);
  expect(start.location?.href.startsWith(bed.saml.ssoUrl)).toBe(true);
  const request = bed.saml.readRedirectRequest(start.location?.href ?? '');
  expect(request.acsUrl).toBe(`${bed.url}/saml/${SAML_ID}/acs`);
  const acs = `${bed.url}/saml/${SAML_ID}/acs`;
  const SAMLResponse = await bed.saml.createResponse({
    inResponseTo: request.id,
    destination: acs,
    recipient: acs,
    audience: request.issuer,
    nameId: person.email,
    attributes: { email: person.email, groups: [...person.groups] },
    sign: 'assertion',
  });
  return { SAMLResponse, ...(request.relayState === undefined ? {} : { RelayState: request.relayState }) };
}

describe('portal sign-in through SAML 2.0 (SP-initiated, HTTP-POST ACS)', () => {
  it('a signed response answering our AuthnRequest signs in and assumes the one trusted role', async () => {
    const browser = new HttpBrowser();
    const form = await samlAnswer(
      browser,
      { email: 'erin@example.com', groups: ['developers'] },
      '/orders/7',
    );

    const answer = await browser.send(`${bed.url}/saml/${SAML_ID}/acs`, { form });

    expect(answer.status).toBe(303);
    expect(answer.location?.href).toBe(`${bed.url}/orders/7`);
    expect(setCookieLine(answer, 'fedgate_portal')).toMatch(/; HttpOnly; SameSite=Lax/i);
    expect(setCookieLine(answer, 'fedgate_session')).toMatch(/; HttpOnly; SameSite=Lax/i);
    const sessions = await bed.fixture.gateway.sessions.list({ subject: 'erin@example.com' });
    expect(sessions.map((session) => [session.roleName, session.provider])).toEqual([['Developer', SAML_ID]]);
    expect((await bed.authz(browser.cookie('fedgate_session'))).status).toBe(200);
  });

  it('a SAML identity with two roles lands on the choice page listing both', async () => {
    const browser = new HttpBrowser();
    const form = await samlAnswer(browser, {
      email: 'frank@example.com',
      groups: ['developers', 'auditors'],
    });

    const answer = await browser.follow(`${bed.url}/saml/${SAML_ID}/acs`, { form });

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Open session as Developer');
    expect(answer.body).toContain('Open session as Auditor');
    expect(answer.body).toContain('frank@example.com');
  });

  it('a replayed SAML response is refused and creates no new session', async () => {
    const browser = new HttpBrowser();
    const form = await samlAnswer(browser, { email: 'grace@example.com', groups: ['developers'] });
    const first = await browser.send(`${bed.url}/saml/${SAML_ID}/acs`, { form });
    expect(first.status).toBe(303);
    const after = await bed.fixture.gateway.sessions.list({ subject: 'grace@example.com' });
    expect(after).toHaveLength(1);

    const attacker = new HttpBrowser();
    const replay = await attacker.send(`${bed.url}/saml/${SAML_ID}/acs`, { form });

    expect(replay.status).toBeGreaterThanOrEqual(400);
    expect(replay.status).toBeLessThan(500);
    expect(replay.body).toContain('Sign-in failed');
    expect(setCookieLine(replay, 'fedgate_portal')).toBeUndefined();
    expect(setCookieLine(replay, 'fedgate_session')).toBeUndefined();
    expect(await bed.fixture.gateway.sessions.list({ subject: 'grace@example.com' })).toEqual(after);
    expect(
      bed.fixture.audit.some((record) => record.event === 'login.failed' && record.provider === SAML_ID),
    ).toBe(true);
  });

  it('a RelayState the IdP rewrote to another site is ignored: the login ends on the portal', async () => {
    const browser = new HttpBrowser();
    const form = await samlAnswer(browser, { email: 'heidi@example.com', groups: ['developers'] });

    const answer = await browser.send(`${bed.url}/saml/${SAML_ID}/acs`, {
      form: { ...form, RelayState: 'https://evil.example/' },
    });

    expect(answer.status).toBe(303);
    expect(answer.location?.href).toBe(`${bed.url}/`);
  });

  it('SP metadata names the ACS and SLO endpoints of this gateway', async () => {
    const answer = await new HttpBrowser().send(`${bed.url}/saml/${SAML_ID}/metadata`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    expect(answer.body).toContain(`Location="${bed.url}/saml/${SAML_ID}/acs"`);
    expect(answer.body).toContain(`entityID="${bed.url}/saml/${SAML_ID}/metadata"`);
  });

  it.each([
    ['no SAMLResponse at all', {}],
    ['a SAMLResponse that is not base64 XML', { SAMLResponse: 'bm90IHhtbA==' }],
  ])('an ACS post with %s is a 4xx sign-in failed page, not a crash', async (_name, form) => {
    const answer = await new HttpBrowser().send(`${bed.url}/saml/${SAML_ID}/acs`, { form });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).toContain('Sign-in failed');
    expect(setCookieLine(answer, 'fedgate_portal')).toBeUndefined();
  });
});
