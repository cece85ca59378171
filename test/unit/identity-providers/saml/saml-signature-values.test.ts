import { randomBytes } from 'node:crypto';
import { parseDomFromString, validateSignature } from '@node-saml/node-saml/lib/xml.js';
import { describe, expect, it } from 'vitest';
import { isFedgateError } from '../../../../src/errors/index.js';
import { checkSignatureReferences } from '../../../../src/identity-providers/saml/saml-signature-references.js';
import { checkSignatureValues } from '../../../../src/identity-providers/saml/saml-signature-values.js';
import { parseSamlXml } from '../../../../src/identity-providers/saml/saml-xml.js';
import { createTestKeyPair, createTestSamlIdp, signSamlElement } from '../../../support/saml-idp.js';
import { createSamlifyIdp, samlifyServiceProvider } from '../../../support/samlify-idp.js';

/**
 * checkSignatureValues, the refusal-only first stage of XML signature validation (SignatureValue over SignedInfo)
 * that runs before node-saml. Each case is also handed to node-saml's own signature check on node-saml's own
 * parse (the library that decides): the pre-check must pass every signature node-saml verifies, and refuse
 * what is not signed by the IdP's key for the price of SignedInfo alone.
 */

const IDP = 'https://idp.example.test/metadata';
const SP = 'https://gateway.example.test/saml/metadata';
const ACS = 'https://gateway.example.test/saml/acs';
const idpKey = createTestKeyPair(IDP);
const attackerKey = createTestKeyPair('https://attacker.example.test');
const idp = createTestSamlIdp({ entityId: IDP, keyPair: idpKey });
const CERTIFICATES = [idpKey.certificatePem];

const C14N = {
  exclusive: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  exclusiveWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  inclusive: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  inclusiveWithComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
} as const;

/** 'pass', or the stable reason the pre-check refused with. */
function preCheck(xml: string, certificates: readonly string[] = CERTIFICATES): string {
  const root = parseSamlXml(xml).documentElement;
  if (root === null) throw new Error('no root');
  try {
    checkSignatureReferences(root, { allowSha1: false });
    checkSignatureValues(root, certificates);
    return 'pass';
  } catch (error) {
    if (isFedgateError(error)) return error.reason ?? error.code;
    throw error;
  }
}

/** node-saml's verdict on each signed element (Response, Assertion), on its own parse of the text. */
async function libraryVerdicts(xml: string): Promise<{ response?: boolean; assertion?: boolean }> {
  const document = await parseDomFromString(xml);
  const response = document.documentElement;
  const assertion = Array.from(response.childNodes).find(
    (node) => (node as Element).localName === 'Assertion',
  ) as Element | undefined;
  const signed = (element: Element): boolean =>
    Array.from(element.childNodes).some((node) => (node as Element).localName === 'Signature');
  return {
    ...(signed(response as unknown as Element)
      ? { response: validateSignature(xml, response, CERTIFICATES) }
      : {}),
    ...(assertion !== undefined && signed(assertion)
      ? { assertion: validateSignature(xml, assertion as never, CERTIFICATES) }
      : {}),
  };
}

/** An unsigned response from the test IdP; `assertionNamespace` adds a declaration to the Assertion element. */
async function unsignedResponse(
  options: { nameId?: string; assertionNamespace?: boolean } = {},
): Promise<{ xml: string; responseId: string; assertionId: string }> {
  let xml = await idp.createResponseXml({
    destination: ACS,
    recipient: ACS,
    audience: SP,
    nameId: options.nameId ?? 'alice@example.test',
    attributes: { groups: ['admins', 'staff'] },
    sign: 'none',
  });
  if (options.assertionNamespace === true)
    xml = xml.replace('<saml:Assertion ', '<saml:Assertion xmlns:ext="urn:example:extension" ');
  const responseId = /<samlp:Response [^>]*\bID="([^"]+)"/.exec(xml)?.[1] ?? '';
  const assertionId = /<saml:Assertion [^>]*\bID="([^"]+)"/.exec(xml)?.[1] ?? '';
  return { xml, responseId, assertionId };
}

/** A response whose assertion `signer` signed (the IdP unless given). */
async function signedAssertion(signer = idpKey): Promise<string> {
  const { xml, assertionId } = await unsignedResponse();
  return signSamlElement(xml, assertionId, signer);
}

describe('a signature by the IdP passes the pre-check, as node-saml verifies it', () => {
  for (const [name, algorithm] of Object.entries(C14N)) {
    it(`assertion and response signed, SignedInfo in ${name} c14n`, async () => {
      const { xml, responseId, assertionId } = await unsignedResponse();
      const assertionSigned = signSamlElement(xml, assertionId, idpKey, {
        canonicalizationAlgorithm: algorithm,
      });
      const bothSigned = signSamlElement(assertionSigned, responseId, idpKey, {
        canonicalizationAlgorithm: algorithm,
      });
      for (const signed of [assertionSigned, bothSigned]) {
        expect(signed).toContain(`<ds:CanonicalizationMethod Algorithm="${algorithm}"/>`);
        expect(preCheck(signed)).toBe('pass');
        expect(Object.values(await libraryVerdicts(signed)).every(Boolean)).toBe(true);
      }
    });
  }

  it('samlify: a whole signed login response', async () => {
    const samlifyIdp = createSamlifyIdp({ entityId: IDP, keyPair: idpKey });
    const sp = samlifyServiceProvider(
      `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${SP}">` +
        '<md:SPSSODescriptor WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
        `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ACS}" index="0"/>` +
        '</md:SPSSODescriptor></md:EntityDescriptor>',
    );
    const xml = await samlifyIdp.respond(sp, { inResponseTo: '_request', nameId: 'alice@example.test' });
    expect(preCheck(xml)).toBe('pass');
    expect(Object.values(await libraryVerdicts(xml))).toContain(true);
  });

  it('during a key rollover the second configured certificate verifies', async () => {
    const signed = await signedAssertion();
    expect(preCheck(signed, [attackerKey.certificatePem, idpKey.certificatePem])).toBe('pass');
    expect(preCheck(signed, [attackerKey.certificatePem])).toBe('bad-signature');
  });

  it("inclusive c14n with a namespace only on the Assertion: the signature's own namespaces are read as well", async () => {
    // xml-crypto canonicalizes every SignedInfo with the namespaces in scope at the document's first one (the
    // Response's here), so node-saml cannot verify this assertion signature; XML Signature reads the
    // signature's own. The pre-check passes what either reading verifies: it may not refuse a response that
    // node-saml accepts on the strength of the response signature.
    const { xml, responseId, assertionId } = await unsignedResponse({ assertionNamespace: true });
    const assertionSigned = signSamlElement(xml, assertionId, idpKey, {
      canonicalizationAlgorithm: C14N.inclusive,
    });
    const bothSigned = signSamlElement(assertionSigned, responseId, idpKey);
    expect(preCheck(assertionSigned)).toBe('pass');
    expect(await libraryVerdicts(assertionSigned)).toEqual({ assertion: true });
    expect(preCheck(bothSigned)).toBe('pass');
    expect(await libraryVerdicts(bothSigned)).toEqual({ response: true, assertion: false });
  });
});

describe('attacks refused by the pre-check, before node-saml parses the message', () => {
  it('junk-signature-value: random bytes in SignatureValue', async () => {
    const signed = await signedAssertion();
    const junk = signed.replace(
      /<ds:SignatureValue>[^<]*<\/ds:SignatureValue>/,
      `<ds:SignatureValue>${randomBytes(256).toString('base64')}</ds:SignatureValue>`,
    );
    expect(junk).not.toBe(signed);
    expect(preCheck(junk)).toBe('bad-signature');
    expect(await libraryVerdicts(junk)).toEqual({ assertion: false });
  });

  it('junk-signature-long-text: a 384 KiB NameID under a junk signature is refused for the price of SignedInfo', async () => {
    const { xml, assertionId } = await unsignedResponse({ nameId: 'a'.repeat(384 * 1024) });
    const signed = signSamlElement(xml, assertionId, idpKey);
    const junk = signed.replace(/<ds:SignatureValue>[^<]*</, `<ds:SignatureValue>${'A'.repeat(344)}<`);
    expect(preCheck(junk)).toBe('bad-signature');
  });

  it("signed-by-attacker: the attacker's own key, its certificate in KeyInfo, is never used", async () => {
    const signed = await signedAssertion(attackerKey);
    expect(signed).toContain('<ds:X509Certificate>');
    expect(preCheck(signed)).toBe('bad-signature');
    expect(await libraryVerdicts(signed)).toEqual({ assertion: false });
  });

  it('altered-signed-info: a DigestValue changed after signing', async () => {
    const signed = await signedAssertion();
    const altered = signed.replace(
      /<ds:DigestValue>[^<]*<\/ds:DigestValue>/,
      `<ds:DigestValue>${randomBytes(32).toString('base64')}</ds:DigestValue>`,
    );
    expect(preCheck(altered)).toBe('bad-signature');
    expect(await libraryVerdicts(altered)).toEqual({ assertion: false });
  });

  it('forged-assertion-signature-in-signed-response: every signature present must verify', async () => {
    // node-saml looks no further than a valid response signature when assertions need not be signed; a
    // signature that is there and is not the IdP's is refused all the same.
    const { xml, responseId, assertionId } = await unsignedResponse();
    const forged = signSamlElement(signSamlElement(xml, assertionId, attackerKey), responseId, idpKey);
    expect(preCheck(forged)).toBe('bad-signature');
    expect(await libraryVerdicts(forged)).toEqual({ response: true, assertion: false });
  });

  it('second-signature-method: a SignatureMethod inside CanonicalizationMethod, which xml-crypto would read first, is malformed', async () => {
    const signed = await signedAssertion();
    const hidden = signed.replace(
      /<ds:CanonicalizationMethod Algorithm="([^"]+)"\/>/,
      '<ds:CanonicalizationMethod Algorithm="$1"><ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/></ds:CanonicalizationMethod>',
    );
    expect(hidden).not.toBe(signed);
    expect(preCheck(hidden)).toBe('malformed-message');
  });

  it('a SignatureMethod after the real one (in KeyInfo) changes nothing: xml-crypto reads the first', async () => {
    const signed = await signedAssertion();
    const later = signed.replace(
      '<ds:KeyInfo>',
      '<ds:KeyInfo><ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>',
    );
    expect(later).not.toBe(signed);
    expect(preCheck(later)).toBe('pass');
    expect(await libraryVerdicts(later)).toEqual({ assertion: true });
  });

  it('signature-value-split-by-comment: only text is read as a SignatureValue', async () => {
    const signed = await signedAssertion();
    const split = signed.replace(/<ds:SignatureValue>([^<]{10})/, '<ds:SignatureValue>$1<!---->');
    expect(split).not.toBe(signed);
    expect(preCheck(split)).toBe('malformed-message');
  });
});
