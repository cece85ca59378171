import { describe, expect, it } from 'vitest';
import type { SamlifyAnswer } from '../../support/samlify-idp.js';
import { HttpBrowser } from '../portal/http-browser.js';
import {
  ALICE,
  expectSignInRefused,
  expectSignedIn,
  expectStsRefuses,
  samlGatewayBedPerFile,
} from './saml-gateway-bed.js';

/**
 * Issue 12, section 2: an identity is exactly what the IdP signed. Each answer is signed by samlify for a
 * pending AuthnRequest of the browser that posts it, so the one thing wrong with it is the value under test.
 */

const bed = samlGatewayBedPerFile();

const WHITESPACE_PAGE = /leading or trailing spaces; it was refused/;
const CONTROL_PAGE = /control characters; it was refused/;
const MIXED_PAGE = /not plain text; it was refused/;

/** Posts the changed answer for a login this browser started; it must be refused with `reason`. */
async function refusedAtAcs(change: Partial<SamlifyAnswer>, reason: string, page: RegExp): Promise<void> {
  const browser = new HttpBrowser();
  const requestId = await bed.startLogin(browser, 'corp-saml');
  const xml = await bed.answer('corp-saml', { inResponseTo: requestId, ...change });
  expectSignInRefused(bed, await bed.postToAcs(browser, 'corp-saml', xml), { reason, page });
}

const groups = (...values: string[]) => ({ attributes: { ...ALICE.attributes, groups: values } });

describe('SAML identities are exactly what the IdP signed (no trimming, no joining)', () => {
  it('control: the exact value "admins" signs in, as Admin', async () => {
    const browser = new HttpBrowser();
    const requestId = await bed.startLogin(browser, 'corp-saml');
    const xml = await bed.answer('corp-saml', { inResponseTo: requestId, ...groups('admins') });
    const answer = await bed.postToAcs(browser, 'corp-saml', xml);
    expectSignedIn(answer);
    const sessions = await bed.fixture.gateway.sessions.list({ subject: ALICE.nameId });
    expect(sessions.map((session) => session.roleName)).toContain('Admin');
  });

  it('identity-value-whitespace: a NameID with a trailing space ("admin@example.test ")', async () => {
    const change = { nameId: 'admin@example.test ' };
    await refusedAtAcs(change, 'identity-value-whitespace', WHITESPACE_PAGE);
    await expectStsRefuses(bed, 'corp-saml', change, 'identity-value-whitespace');
  });

  it('identity-value-whitespace: a NameID with a leading newline ("\\nadmin@example.test")', async () => {
    const change = { nameId: '\nadmin@example.test' };
    await refusedAtAcs(change, 'identity-value-whitespace', WHITESPACE_PAGE);
    await expectStsRefuses(bed, 'corp-saml', change, 'identity-value-whitespace');
  });

  it('identity-value-whitespace: a groups value " admins" does not become "admins" (no Admin role)', async () => {
    const change = groups(' admins');
    await refusedAtAcs(change, 'identity-value-whitespace', WHITESPACE_PAGE);
    await expectStsRefuses(bed, 'corp-saml', change, 'identity-value-whitespace');
  });

  it('identity-value-mixed-content: <AttributeValue><x>adm</x>ins</AttributeValue> is not read as "admins"', async () => {
    const change = {
      ...groups('admins'),
      beforeSigning: (xml: string) =>
        xml.replace('>admins</saml:AttributeValue>', '><x>adm</x>ins</saml:AttributeValue>'),
    };
    await refusedAtAcs(change, 'identity-value-mixed-content', MIXED_PAGE);
    await expectStsRefuses(bed, 'corp-saml', change, 'identity-value-mixed-content');
  });

  it('identity-value-mixed-content: an element inside the NameID', async () => {
    const change = {
      beforeSigning: (xml: string) =>
        xml.replace(`>${ALICE.nameId}</saml:NameID>`, '>admin<x/>@example.test</saml:NameID>'),
    };
    await refusedAtAcs(change, 'identity-value-mixed-content', MIXED_PAGE);
  });

  it.each([
    ['a tab inside a group value', groups('adm\tins')],
    ['DEL at the end of a group value', groups('admins\u007f')],
    ['a C1 control (NEL) inside a group value', groups('adm\u0085ins')],
    ['a tab inside the NameID', { nameId: 'admin\t@example.test' }],
  ])('identity-value-control-character: %s', async (_name, change) => {
    await refusedAtAcs(change, 'identity-value-control-character', CONTROL_PAGE);
    await expectStsRefuses(bed, 'corp-saml', change, 'identity-value-control-character');
  });
});
