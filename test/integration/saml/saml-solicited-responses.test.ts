import { describe, expect, it } from 'vitest';
import { HttpBrowser, hiddenInput, setCookieLine, textOf } from '../portal/http-browser.js';
import { ALICE, expectSignInRefused, expectSignedIn, samlGatewayBedPerFile } from './saml-gateway-bed.js';

/**
 * Issue 12, sections 3 and 4: `allowIdpInitiated: false` means it, and a login is bound to the browser that
 * started it (login CSRF), with the interstitial for IdP-initiated logins where they are allowed.
 */

const bed = samlGatewayBedPerFile();

/** Sets the unsigned outer Response's InResponseTo (samlify writes `InResponseTo=""` when it answers nothing). */
function outerInResponseTo(xml: string, requestId: string): string {
  const changed = xml.replace(
    /^(<samlp:Response [^>]*?)InResponseTo="[^"]*"/,
    `$1InResponseTo="${requestId}"`,
  );
  expect(changed).not.toBe(xml);
  return changed;
}

const MALLORY = {
  nameId: 'mallory@example.test',
  attributes: { email: ['mallory@example.test'], groups: ['developers'] },
};

describe('allowIdpInitiated: false means it (SAML profiles 4.1.4.2-4.1.4.3)', () => {
  it('unsolicited-response: an IdP-initiated answer posted as it is', async () => {
    const browser = new HttpBrowser();
    await bed.startLogin(browser, 'corp-saml');
    const xml = await bed.answer('corp-saml', {});
    expectSignInRefused(bed, await bed.postToAcs(browser, 'corp-saml', xml), {
      reason: 'unsolicited-response',
      page: /may not start a sign-in; start it from fedgate/,
    });
  });

  it('in-response-to-mismatch: an IdP-initiated assertion whose unsigned Response names a fresh pending request', async () => {
    const browser = new HttpBrowser();
    const requestId = await bed.startLogin(browser, 'corp-saml');
    const unsolicited = await bed.answer('corp-saml', {});
    expect(unsolicited).toMatch(/<saml:SubjectConfirmationData [^>]*InResponseTo=""/);
    const dressed = outerInResponseTo(unsolicited, requestId);
    expectSignInRefused(bed, await bed.postToAcs(browser, 'corp-saml', dressed), {
      reason: 'in-response-to-mismatch',
    });
    // The refusal consumed nothing: the genuine answer to that request still signs this browser in.
    const genuine = await bed.answer('corp-saml', { inResponseTo: requestId });
    expectSignedIn(await bed.postToAcs(browser, 'corp-saml', genuine));
  });

  it("in-response-to-mismatch: the Response's InResponseTo differs from the signed confirmation's", async () => {
    const browser = new HttpBrowser();
    const first = await bed.startLogin(browser, 'corp-saml');
    const second = await bed.startLogin(browser, 'corp-saml');
    const answerToFirst = await bed.answer('corp-saml', { inResponseTo: first });
    expectSignInRefused(
      bed,
      await bed.postToAcs(browser, 'corp-saml', outerInResponseTo(answerToFirst, second)),
      {
        reason: 'in-response-to-mismatch',
      },
    );
  });
});

describe('login CSRF: an SP-initiated login is bound to the browser that started it', () => {
  it('browser-mismatch: the answer to a login the attacker started, posted from a browser without the binding cookie', async () => {
    const attacker = new HttpBrowser();
    const requestId = await bed.startLogin(attacker, 'corp-saml');
    expect(attacker.cookie('fedgate_saml')).toBeDefined();
    const attackersLogin = await bed.answer('corp-saml', { inResponseTo: requestId, ...MALLORY });

    const victim = new HttpBrowser();
    expectSignInRefused(bed, await bed.postToAcs(victim, 'corp-saml', attackersLogin), {
      reason: 'browser-mismatch',
      page: /started in another browser; start it again here/,
    });
    expect(victim.cookie('fedgate_portal')).toBeUndefined();
    expect(await bed.fixture.gateway.sessions.list({ subject: MALLORY.nameId })).toEqual([]);

    // The refusal left the login in place for the browser that started it.
    expectSignedIn(await bed.postToAcs(attacker, 'corp-saml', attackersLogin));
  });

  it('browser-mismatch: posted from a browser that holds a binding cookie of its own login', async () => {
    const attacker = new HttpBrowser();
    const requestId = await bed.startLogin(attacker, 'corp-saml');
    const attackersLogin = await bed.answer('corp-saml', { inResponseTo: requestId, ...MALLORY });
    const victim = new HttpBrowser();
    await bed.startLogin(victim, 'corp-saml');
    expect(victim.cookie('fedgate_saml')).not.toBe(attacker.cookie('fedgate_saml'));
    expectSignInRefused(bed, await bed.postToAcs(victim, 'corp-saml', attackersLogin), {
      reason: 'browser-mismatch',
    });
  });
});

describe('IdP-initiated logins, where allowed, are confirmed on an interstitial', () => {
  /** Posts an unsolicited answer of partner-saml; returns the interstitial and its handle. */
  async function interstitial(browser: HttpBrowser): Promise<string> {
    const answer = await bed.postToAcs(browser, 'partner-saml', await bed.answer('partner-saml', {}));
    expect(answer.status).toBe(200);
    expect(textOf(answer.body)).toContain(`Continue as ${ALICE.nameId} at Partner IdP?`);
    expect(setCookieLine(answer, 'fedgate_portal')).toBeUndefined();
    expect(setCookieLine(answer, 'fedgate_session')).toBeUndefined();
    expect(setCookieLine(answer, 'fedgate_saml_confirm')).toMatch(/HttpOnly/i);
    expect(bed.auditOf(answer).map((record) => record.event)).not.toContain('login.succeeded');
    const handle = hiddenInput(answer.body, 'handle');
    expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
    return handle ?? '';
  }

  const confirm = (browser: HttpBrowser, handle: string, origin: string) =>
    browser.send(`${bed.url}/saml/partner-saml/confirm`, {
      headers: { origin, 'x-request-id': `confirm-${handle.slice(0, 16)}-${origin.length}` },
      form: { handle },
    });

  it('shows "Continue as … at …?"; a same-origin POST from the same browser signs in', async () => {
    const browser = new HttpBrowser();
    const handle = await interstitial(browser);
    const answer = await confirm(browser, handle, bed.url);
    expectSignedIn(answer);
    expect(bed.auditOf(answer).map((record) => record.event)).toEqual(
      expect.arrayContaining(['login.succeeded', 'role.assumed']),
    );
  });

  it('unconfirmed-login: a cross-origin POST of the confirmation is refused', async () => {
    const browser = new HttpBrowser();
    const handle = await interstitial(browser);
    expectSignInRefused(bed, await confirm(browser, handle, 'https://evil.example'), {
      reason: 'unconfirmed-login',
      page: /confirmation expired or came from another site/,
    });
  });

  it('unconfirmed-login: the confirmation posted from another browser (no confirmation cookie)', async () => {
    const handle = await interstitial(new HttpBrowser());
    expectSignInRefused(bed, await confirm(new HttpBrowser(), handle, bed.url), {
      reason: 'unconfirmed-login',
    });
  });
});
