import { afterEach, describe, expect, it } from 'vitest';
import { createTestKeyPair, decodeSamlMessage } from '../../support/saml-idp.js';
import { expectRefused } from './saml-expect.js';
import { createSamlHarness, TEST_BROWSER } from './saml-test-provider.js';
import type { SamlHarness } from './saml-test-provider.js';

let h: SamlHarness | undefined;
afterEach(async () => {
  h?.sp.close();
  await h?.store.close();
});

describe('SAML encrypted assertions', () => {
  const spKey = createTestKeyPair('sp-encryption');
  /** A provider that holds the SP's decryption key. */
  const decryptingHarness = (): Promise<SamlHarness> =>
    createSamlHarness({ decryptionKey: spKey.privateKeyPem, decryptionCertificate: spKey.certificatePem });

  it('decrypts an encrypted, signed assertion with the decryption key', async () => {
    h = await decryptingHarness();
    const response = await h.response({
      inResponseTo: await h.startLogin(),
      encryptFor: spKey.certificatePem,
    });
    expect(decodeSamlMessage(response)).toContain('EncryptedAssertion');
    expect(decodeSamlMessage(response)).not.toContain('alice@example.com');
    const login = await h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER);
    expect(login).toMatchObject({ subject: 'alice@example.com', groups: ['engineers', 'oncall'] });
  });

  it('decryption-failed: an encrypted assertion without a configured decryption key', async () => {
    h = await createSamlHarness();
    const response = await h.response({
      inResponseTo: await h.startLogin(),
      encryptFor: spKey.certificatePem,
    });
    await expectRefused(h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER), 'decryption-failed');
  });

  it('decryption-failed: encrypted for another SP key', async () => {
    h = await decryptingHarness();
    const otherSp = createTestKeyPair('other-sp');
    const response = await h.response({
      inResponseTo: await h.startLogin(),
      encryptFor: otherSp.certificatePem,
    });
    await expectRefused(h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER), 'decryption-failed');
  });

  it('decryption-failed: an encrypted assertion signed by an attacker key carrying its own certificate', async () => {
    h = await decryptingHarness();
    const response = await h.response({
      inResponseTo: await h.startLogin(),
      encryptFor: spKey.certificatePem,
      signWith: createTestKeyPair('attacker'),
    });
    await expectRefused(h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER), 'decryption-failed');
  });

  // Until a decrypted assertion's signature verifies, every failure is `decryption-failed` (no oracle).
  it('decryption-failed: an encrypted but unsigned assertion when assertions must be signed', async () => {
    h = await decryptingHarness();
    const response = await h.response({
      inResponseTo: await h.startLogin(),
      encryptFor: spKey.certificatePem,
      sign: 'none',
    });
    await expectRefused(h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER), 'decryption-failed');
  });

  it('SP metadata publishes the encryption certificate', async () => {
    h = await decryptingHarness();
    const xml = h.sp.metadataXml();
    expect(xml).toContain('use="encryption"');
    expect(xml).toContain(h.options.acsUrl);
  });
});
