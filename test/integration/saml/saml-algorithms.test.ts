import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../../src/cli/validate-command.js';
import { captureIo } from '../../support/cli-io.js';
import { createTestKeyPair, signSamlElement } from '../../support/saml-idp.js';
import { RSA_SHA1, createSamlifyIdp, samlifyServiceProvider } from '../../support/samlify-idp.js';
import { HttpBrowser } from '../portal/http-browser.js';
import {
  expectSignInRefused,
  expectSignedIn,
  samlGatewayBedPerFile,
  type ProviderId,
} from './saml-gateway-bed.js';

/**
 * Issue 12, section 6: SHA-1 is refused unless a provider sets `allowSha1` (and the validator warns), and every
 * decryption failure looks the same from outside, so AES-CBC cannot become a padding oracle.
 */

const bed = samlGatewayBedPerFile();
const SHA1_DIGEST = 'http://www.w3.org/2000/09/xmldsig#sha1';

/** The provider's samlify answer for a login `browser` started. */
async function answerForLogin(browser: HttpBrowser, provider: ProviderId): Promise<string> {
  return bed.answer(provider, { inResponseTo: await bed.startLogin(browser, provider) });
}

/** The same answer with its assertion signed again by the IdP's key, RSA-SHA256 over a SHA-1 digest. */
function resignedWithSha1Digest(xml: string, provider: ProviderId): string {
  const assertionId = /<saml:Assertion [^>]*\bID="([^"]+)"/.exec(xml)?.[1] ?? '';
  const unsigned = xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '');
  expect(unsigned).not.toContain('ds:Signature');
  const resigned = signSamlElement(unsigned, assertionId, createTestKeyPair(bed.idp(provider).entityId), {
    digestAlgorithm: SHA1_DIGEST,
  });
  expect(resigned).toContain(`<ds:DigestMethod Algorithm="${SHA1_DIGEST}"/>`);
  expect(resigned).toContain('rsa-sha256');
  return resigned;
}

describe('SHA-1 in signatures is refused unless the provider allows it', () => {
  it('weak-algorithm: an RSA-SHA1 signature (samlify signing with SHA-1 throughout) by the trusted key', async () => {
    const sha1Corp = createSamlifyIdp({
      entityId: bed.idp('corp-saml').entityId,
      signatureAlgorithm: RSA_SHA1,
    });
    const browser = new HttpBrowser();
    const requestId = await bed.startLogin(browser, 'corp-saml');
    const xml = await sha1Corp.respond(bed.sp('corp-saml'), {
      inResponseTo: requestId,
      nameId: 'alice@example.test',
      attributes: { groups: ['developers'] },
    });
    expect(xml).toContain('xmldsig#rsa-sha1');
    expectSignInRefused(bed, await bed.postToAcs(browser, 'corp-saml', xml), { reason: 'weak-algorithm' });
  });

  it('weak-algorithm: an RSA-SHA256 signature over a SHA-1 digest', async () => {
    const browser = new HttpBrowser();
    const xml = resignedWithSha1Digest(await answerForLogin(browser, 'corp-saml'), 'corp-saml');
    expectSignInRefused(bed, await bed.postToAcs(browser, 'corp-saml', xml), { reason: 'weak-algorithm' });
  });

  it('allowSha1: true accepts the RSA-SHA1 signature and the SHA-1 digest', async () => {
    const browser = new HttpBrowser();
    const rsaSha1 = await answerForLogin(browser, 'legacy-saml');
    expect(rsaSha1).toContain('xmldsig#rsa-sha1');
    expectSignedIn(await bed.postToAcs(browser, 'legacy-saml', rsaSha1));

    const other = new HttpBrowser();
    const sha1Digest = resignedWithSha1Digest(await answerForLogin(other, 'legacy-saml'), 'legacy-saml');
    expectSignedIn(await bed.postToAcs(other, 'legacy-saml', sha1Digest));
  });

  it('fedgate validate reports allowSha1: true as a security warning at its path', async () => {
    const io = captureIo();
    const code = await validateCommand(['--config', bed.fixture.configPath], io);
    const legacy = 2; // identityProviders[2] is legacy-saml
    expect(io.stdoutText()).toMatch(
      new RegExp(`^security-warning .*identityProviders\\[${legacy}\\]\\.allowSha1: .*SHA-1`, 'm'),
    );
    expect(io.stdoutText()).not.toMatch(/identityProviders\[[013]\]\.allowSha1/);
    expect(code).toBe(0);
  });
});

/** The encrypted content's ciphertext (IV + AES-CBC blocks): the last CipherValue, after the wrapped key's. */
function editCiphertext(xml: string, edit: (bytes: Buffer) => void): string {
  const match = /(<(?:\w+:)?CipherValue>)([^<]+)(<\/(?:\w+:)?CipherValue>)(?![\s\S]*CipherValue>)/.exec(xml);
  if (match === null) throw new Error('no CipherValue in the encrypted answer');
  const bytes = Buffer.from(match[2] ?? '', 'base64');
  edit(bytes);
  return xml.replace(match[0], `${match[1]}${bytes.toString('base64')}${match[3]}`);
}

describe('every decryption failure looks the same from outside (no padding oracle)', () => {
  it('control: an encrypted, signed samlify assertion signs in', async () => {
    const browser = new HttpBrowser();
    const xml = await answerForLogin(browser, 'sealed-saml');
    expect(xml).toContain('EncryptedAssertion');
    expect(xml).not.toContain('alice@example.test');
    expectSignedIn(await bed.postToAcs(browser, 'sealed-saml', xml));
  });

  it('decryption-failed: wrong key, corrupted ciphertext and bad padding give the same status, page and audit reason', async () => {
    const otherKey = createTestKeyPair('not-fedgate-sp');
    const spMetadata = await (await fetch(`${bed.url}/saml/sealed-saml/metadata`)).text();
    const body = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
    const forOtherKey = samlifyServiceProvider(
      spMetadata.replace(
        /(<(?:\w+:)?KeyDescriptor [^>]*use="encryption"[\s\S]*?<(?:\w+:)?X509Certificate>)[^<]+/,
        `$1${body(otherKey.certificatePem)}`,
      ),
    );
    expect(forOtherKey.entityMeta.getX509Certificate('encryption')).toBe(body(otherKey.certificatePem));

    const variants: Record<string, (browser: HttpBrowser) => Promise<string>> = {
      'encrypted for another key': async (browser) =>
        bed.idp('sealed-saml').respond(forOtherKey, {
          inResponseTo: await bed.startLogin(browser, 'sealed-saml'),
          nameId: 'alice@example.test',
        }),
      // Flipping a bit of the first block garbles the plaintext the signature covers.
      'corrupted ciphertext': async (browser) =>
        editCiphertext(await answerForLogin(browser, 'sealed-saml'), (bytes) => {
          bytes[16 + 3] = (bytes[16 + 3] ?? 0) ^ 0x01;
        }),
      // The last byte of the next-to-last block XORs into the padding length: above 16 it is never valid.
      'bad padding': async (browser) =>
        editCiphertext(await answerForLogin(browser, 'sealed-saml'), (bytes) => {
          const index = bytes.length - 17;
          bytes[index] = (bytes[index] ?? 0) ^ 0x80;
        }),
    };
    const seen = [];
    for (const [name, build] of Object.entries(variants)) {
      const browser = new HttpBrowser();
      const answer = await bed.postToAcs(browser, 'sealed-saml', await build(browser));
      expectSignInRefused(bed, answer, { reason: 'decryption-failed' });
      seen.push({ name, status: answer.status, page: answer.body });
    }
    const [first, ...rest] = seen;
    for (const other of rest) {
      expect({ status: other.status, page: other.page }).toEqual({
        status: first?.status,
        page: first?.page,
      });
    }
  });
});
