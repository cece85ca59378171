import { afterEach, describe, expect, it } from 'vitest';
import { SamlServiceProvider } from '../../../src/identity-providers/saml/index.js';
import { expectRefused } from './saml-expect.js';
import { createSamlHarness } from './saml-test-provider.js';
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
    const login = await h.sp.consumeResponse({ SAMLResponse: await h.response(), RelayState: 'deep/link' });
    expect(login).toMatchObject({ subject: 'alice@example.com', relayState: 'deep/link' });
  });

  it('replayed-assertion: the same unsolicited response posted again, even to another instance', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    const response = await h.response();
    await h.sp.consumeResponse({ SAMLResponse: response });
    await expectRefused(h.sp.consumeResponse({ SAMLResponse: response }), 'replayed-assertion');
    const otherInstance = await SamlServiceProvider.create(h.options, { store: h.store, now: h.clock.now });
    others.push(otherInstance);
    await expectRefused(otherInstance.consumeResponse({ SAMLResponse: response }), 'replayed-assertion');
  });

  it('a replay is refused until the assertion expires, then refused as expired', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    const response = await h.response();
    await h.sp.consumeResponse({ SAMLResponse: response });
    h.clock.advance(5 * 60_000 + 61_000);
    await expectRefused(h.sp.consumeResponse({ SAMLResponse: response }), 'expired');
  });

  it('still checks a solicited response against our requests (unknown InResponseTo refused)', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    await expectRefused(
      h.sp.consumeResponse({ SAMLResponse: await h.response({ inResponseTo: '_forged' }) }),
      'unknown-in-response-to',
    );
  });

  it('in-response-to-mismatch: an unsolicited Response whose signed confirmation names a request', async () => {
    h = await createSamlHarness({ allowIdpInitiated: true });
    const xml = await h.responseXml({ inResponseTo: '_someone-elses-request' });
    const unsolicited = xml.replace(/(<samlp:Response[^>]*?) InResponseTo="_someone-elses-request"/, '$1');
    await expectRefused(
      h.sp.consumeResponse({ SAMLResponse: Buffer.from(unsolicited).toString('base64') }),
      'in-response-to-mismatch',
    );
  });
});
