import { afterEach, describe, expect, it } from 'vitest';
import { SamlServiceProvider } from '../../../src/identity-providers/saml/index.js';
import { expectRefused } from './saml-expect.js';
import { createSamlHarness, TEST_BROWSER } from './saml-test-provider.js';
import type { SamlHarness } from './saml-test-provider.js';

let h: SamlHarness;
const others: SamlServiceProvider[] = [];
afterEach(async () => {
  for (const p of others.splice(0)) p.close();
  h.sp.close();
  await h.store.close();
});

describe('SAML IdP-initiated (unsolicited) login when allowIdpInitiated', () => {
  it('accepts an unsolicited signed response', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    const login = await h.sp.consumeResponse(
      { SAMLResponse: await h.response(), RelayState: 'deep/link' },
      TEST_BROWSER,
    );
    expect(login).toMatchObject({ subject: 'alice@example.com', relayState: 'deep/link' });
  });

  it('replayed-assertion: the same unsolicited response posted again, even to another instance', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    const response = await h.response();
    await h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER);
    await expectRefused(h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER), 'replayed-assertion');
    const otherInstance = await SamlServiceProvider.create(h.options, { store: h.store, now: h.clock.now });
    others.push(otherInstance);
    await expectRefused(
      otherInstance.consumeResponse({ SAMLResponse: response }, TEST_BROWSER),
      'replayed-assertion',
    );
  });

  it('a replay is refused until the assertion expires, then refused as expired', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    const response = await h.response();
    await h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER);
    h.clock.advance(5 * 60_000 + 61_000);
    await expectRefused(h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER), 'expired');
  });

  it('still checks a solicited response against our requests (unknown InResponseTo refused)', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    await expectRefused(
      h.sp.consumeResponse({ SAMLResponse: await h.response({ inResponseTo: '_forged' }) }, TEST_BROWSER),
      'unknown-in-response-to',
    );
  });

  // The signed confirmation makes it an answer to a request, whatever the unsigned Response says: that
  // request must be one this SP has pending.
  it('unknown-in-response-to: an unsolicited Response whose signed confirmation names a request', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    const xml = await h.responseXml({ inResponseTo: '_someone-elses-request' });
    const unsolicited = xml.replace(/(<samlp:Response[^>]*?) InResponseTo="_someone-elses-request"/, '$1');
    await expectRefused(
      h.sp.consumeResponse({ SAMLResponse: Buffer.from(unsolicited).toString('base64') }, TEST_BROWSER),
      'unknown-in-response-to',
    );
  });
});
