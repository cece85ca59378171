import { describe, expect, it } from 'vitest';
import { HttpBrowser, setCookieLine, textOf } from '../portal/http-browser.js';
import {
  ALICE,
  expectSignInRefused,
  expectSignedIn,
  expectStsRefuses,
  samlGatewayBedPerFile,
} from './saml-gateway-bed.js';

/**
 * Issue 12, section 7: refusals that are explained and audited: reserved attribute names, a body over the ACS
 * limit, and an IdP value refused as a session tag.
 */

const bed = samlGatewayBedPerFile();
const RESERVED_PAGE = /attribute whose name is reserved by fedgate \(or repeats another ignoring case\)/;

describe('SAML refusals are explained and audited', () => {
  it.each([
    ['SUB (the context key saml:sub)', { SUB: ['admin'] }],
    ['namequalifier', { namequalifier: ['x'] }],
    ['Email next to email (the same context key ignoring case)', { Email: ['mallory@example.test'] }],
  ])(
    'reserved-attribute-name: an attribute named %s is refused before the login is consumed',
    async (_name, extra) => {
      const browser = new HttpBrowser();
      const requestId = await bed.startLogin(browser, 'corp-saml');
      const change = { attributes: { ...ALICE.attributes, ...extra } };
      const refused = await bed.answer('corp-saml', { inResponseTo: requestId, ...change });
      expectSignInRefused(bed, await bed.postToAcs(browser, 'corp-saml', refused), {
        reason: 'reserved-attribute-name',
        page: RESERVED_PAGE,
      });
      // Nothing was consumed: the IdP's corrected answer to the same request still signs this browser in.
      const corrected = await bed.answer('corp-saml', { inResponseTo: requestId });
      expectSignedIn(await bed.postToAcs(browser, 'corp-saml', corrected));
      await expectStsRefuses(bed, 'corp-saml', change, 'reserved-attribute-name');
    },
  );

  it('message-too-large: a form over the 512 kB limit at the ACS is a 413 page, audited as login.failed', async () => {
    const browser = new HttpBrowser();
    const requestId = await bed.startLogin(browser, 'corp-saml');
    const signed = await bed.answer('corp-saml', { inResponseTo: requestId });
    const padded = signed.replace(
      '</saml:Issuer>',
      `</saml:Issuer><samlp:Extensions>${'<x/>'.repeat(140_000)}</samlp:Extensions>`,
    );
    expect(Buffer.byteLength(padded)).toBeGreaterThan(512 * 1024);
    expectSignInRefused(bed, await bed.postToAcs(browser, 'corp-saml', padded), {
      status: 413,
      reason: 'message-too-large',
      page: /The SAML message is too large/,
    });
  });

  it('the "no role" page names the attribute whose value was refused as a session tag', async () => {
    const browser = new HttpBrowser();
    const requestId = await bed.startLogin(browser, 'corp-saml');
    const xml = await bed.answer('corp-saml', {
      inResponseTo: requestId,
      attributes: { ...ALICE.attributes, department: ['payments;drop'] },
    });
    const answer = await bed.postToAcs(browser, 'corp-saml', xml);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('No role trusts this identity');
    expect(answer.body).toContain('<code>department</code>');
    expect(textOf(answer.body)).toMatch(/value of\s+department\s+cannot be a session tag/);
    expect(answer.body).not.toContain('payments;drop');
    expect(setCookieLine(answer, 'fedgate_session')).toBeUndefined();
    expect(bed.auditOf(answer)).toEqual([
      expect.objectContaining({ event: 'login.succeeded', subject: ALICE.nameId, details: { roles: [] } }),
    ]);

    // The same person with an acceptable department gets the Developer role: the tag alone made the difference.
    const again = new HttpBrowser();
    const corrected = await bed.answer('corp-saml', {
      inResponseTo: await bed.startLogin(again, 'corp-saml'),
    });
    expectSignedIn(await bed.postToAcs(again, 'corp-saml', corrected));
  });
});
