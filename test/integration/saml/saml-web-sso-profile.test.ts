import { describe, expect, it } from 'vitest';
import type { SamlifyAnswer } from '../../support/samlify-idp.js';
import { HttpBrowser, setCookieLine } from '../portal/http-browser.js';
import {
  expectSignInRefused,
  expectSignedIn,
  expectStsRefuses,
  samlGatewayBedPerFile,
} from './saml-gateway-bed.js';

/**
 * Issue 12, section 5: the Web Browser SSO profile in full (SAML profiles 4.1.4.2): an AuthnStatement, an
 * IssueInstant within maxAssertionAge (default 5 min, plus 60 s skew), and sessions that keep the gateway's own
 * limits whatever NotOnOrAfter the IdP wrote.
 */

const bed = samlGatewayBedPerFile();

const MINUTE = 60_000;
/** The gateway's defaults: role sessions 1 h (`sessions.defaultDuration`), portal sessions 8 h. */
const ROLE_SESSION_SECONDS = 3600;
const PORTAL_SESSION_SECONDS = 8 * 3600;

/** An assertion issued `minutesAgo` (signed as such), still inside its NotBefore/NotOnOrAfter window. */
function issuedAgo(minutesAgo: number): Partial<SamlifyAnswer> {
  const now = Date.now();
  const issued = new Date(now - minutesAgo * MINUTE).toISOString();
  const until = new Date(now + 5 * MINUTE).toISOString();
  return {
    values: {
      IssueInstant: issued,
      AuthnInstant: issued,
      ConditionsNotBefore: issued,
      ConditionsNotOnOrAfter: until,
      SubjectConfirmationDataNotOnOrAfter: until,
    },
  };
}

async function postAnswer(change: Partial<SamlifyAnswer>) {
  const browser = new HttpBrowser();
  const requestId = await bed.startLogin(browser, 'corp-saml');
  const xml = await bed.answer('corp-saml', { inResponseTo: requestId, ...change });
  return bed.postToAcs(browser, 'corp-saml', xml);
}

/** Max-Age of a Set-Cookie line. */
function maxAge(line: string | undefined): number {
  return Number(/Max-Age=(\d+)/i.exec(line ?? '')?.[1]);
}

describe('the SAML Web Browser SSO profile in full', () => {
  it('missing-authn-statement: an assertion without an AuthnStatement is not a sign-in', async () => {
    const change = { authnStatement: false };
    expectSignInRefused(bed, await postAnswer(change), {
      reason: 'missing-authn-statement',
      page: /does not say how the person signed in \(no AuthnStatement\)/,
    });
    await expectStsRefuses(bed, 'corp-saml', change, 'missing-authn-statement');
  });

  it('assertion-too-old: IssueInstant 10 minutes ago (beyond maxAssertionAge 5 min + 60 s skew)', async () => {
    const change = issuedAgo(10);
    expectSignInRefused(bed, await postAnswer(change), {
      reason: 'assertion-too-old',
      page: /issued too long ago; sign in again/,
    });
    await expectStsRefuses(bed, 'corp-saml', change, 'assertion-too-old');
  });

  it('control: IssueInstant 4 minutes ago is within maxAssertionAge and signs in', async () => {
    expectSignedIn(await postAnswer(issuedAgo(4)));
  });

  it('a NotOnOrAfter 10 years ahead buys nothing: the sessions keep the gateway maximum', async () => {
    const now = Date.now();
    const tenYears = new Date(now + 10 * 365 * 24 * 3600_000).toISOString();
    const person = 'decade@example.test';
    const change = {
      nameId: person,
      attributes: { email: [person], groups: ['developers'] },
      values: { ConditionsNotOnOrAfter: tenYears, SubjectConfirmationDataNotOnOrAfter: tenYears },
    };
    const answer = await postAnswer(change);
    expectSignedIn(answer);
    expect(maxAge(setCookieLine(answer, 'fedgate_session'))).toBeLessThanOrEqual(ROLE_SESSION_SECONDS);
    expect(maxAge(setCookieLine(answer, 'fedgate_portal'))).toBeLessThanOrEqual(PORTAL_SESSION_SECONDS);
    const [session, ...more] = await bed.fixture.gateway.sessions.list({ subject: person });
    expect(more).toEqual([]);
    expect((session?.expiresAt ?? Infinity) - (session?.issuedAt ?? 0)).toBeLessThanOrEqual(
      ROLE_SESSION_SECONDS,
    );

    // The STS too: credentials for at most the role's maximum session duration.
    const sts = await bed.assumeRoleWithSaml('corp-saml', await bed.answer('corp-saml', change));
    expect(sts.status).toBe(200);
    const { Credentials } = (await sts.json()) as { Credentials: { Expiration: string } };
    expect(Date.parse(Credentials.Expiration)).toBeLessThanOrEqual(Date.now() + ROLE_SESSION_SECONDS * 1000);
  });
});
