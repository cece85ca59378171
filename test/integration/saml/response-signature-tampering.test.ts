import { afterEach, describe, expect, it } from 'vitest';
import { encodeSamlMessage } from '../../support/saml-idp.js';
import { expectRefused } from './saml-expect.js';
import { createSamlHarness, TEST_BROWSER } from './saml-test-provider.js';
import type { SamlHarness } from './saml-test-provider.js';

const harnesses: SamlHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    h.sp.close();
    await h.store.close();
  }
});

describe('a response signature that is present must verify, even when the assertion is signed too', () => {
  it('response-altered-after-signing: Version changed on a doubly signed response is refused', async () => {
    const h = await createSamlHarness();
    harnesses.push(h);
    const id = await h.startLogin();
    const xml = await h.responseXml({ inResponseTo: id, sign: 'both' });
    const tampered = xml.replace(/(<samlp:Response[^>]*?)Version="2\.0"/, '$1Version="2.1"');
    expect(tampered).not.toBe(xml);
    await expectRefused(
      h.sp.consumeResponse({ SAMLResponse: encodeSamlMessage(tampered) }, TEST_BROWSER),
      'bad-signature',
    );
  });

  it('the same doubly signed response, untouched, is accepted', async () => {
    const h = await createSamlHarness();
    harnesses.push(h);
    const id = await h.startLogin();
    const xml = await h.responseXml({ inResponseTo: id, sign: 'both' });
    await expect(
      h.sp.consumeResponse({ SAMLResponse: encodeSamlMessage(xml) }, TEST_BROWSER),
    ).resolves.toMatchObject({
      nameIdValue: expect.any(String),
    });
  });
});
