import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Element, Node } from '@xmldom/xmldom';
import { SignedXml, findAncestorNs } from 'xml-crypto';
import { samlRejection } from './saml-rejection.js';
import { DSIG_NS, attributeOf } from './saml-xml.js';

/** The digest each accepted SignatureMethod signs with (checkSignatureReferences has already refused others). */
const SIGNATURE_DIGESTS: ReadonlyMap<string, string> = new Map([
  ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'sha256'],
  ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha512', 'sha512'],
  ['http://www.w3.org/2000/09/xmldsig#rsa-sha1', 'sha1'],
]);

/** The canonicalization methods xml-crypto applies to SignedInfo. */
const SIGNED_INFO_CANONICALIZATIONS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
]);

/**
 * Every `ds:Signature` in a parsed message has a `SignatureValue` that verifies, with one of the IdP's
 * certificates, over its canonical `SignedInfo`: the first stage of XML signature validation (W3C XML Signature
 * 1.1 §3.2.2), done before node-saml parses the message twice more and canonicalizes and digests what each
 * Reference points at. A message whose signature is not the IdP's is refused for the cost of one small
 * canonicalization and one RSA verification, whatever it carries beside it (W3C XML Signature Best Practices,
 * Best Practice 1: run the costly operations only after the signature has been authenticated).
 *
 * This check only refuses; passing it decides nothing. node-saml still verifies every signature in full
 * (references and digests included) on its own parse, and only what it verified is read. So that it never
 * refuses a response node-saml would accept, `SignedInfo` is canonicalized by xml-crypto's own code, as xml-crypto
 * does it when node-saml asks it to verify: the same algorithm, and (for inclusive c14n) the namespaces in
 * scope at the document's first element named `SignedInfo` (or at the signature's own, as XML Signature reads
 * it). `KeyInfo` is never read: the key is the IdP's.
 *
 * Stricter than node-saml in one way, on purpose: a signature that is there must verify, even where node-saml
 * would not look at it (an assertion's own signature inside a signed response, when assertions need not be
 * signed). Run after checkSignatureReferences, which has fixed each signature's algorithms and reference.
 */
export function checkSignatureValues(root: Element, certificates: readonly string[]): void {
  const signatures = root.getElementsByTagNameNS(DSIG_NS, 'Signature');
  if (signatures.length === 0) return;
  // The first element named SignedInfo in any namespace, as xml-crypto's `//*[local-name()='SignedInfo']` finds it.
  const firstSignedInfo = root.getElementsByTagNameNS('*', 'SignedInfo').item(0) ?? undefined;
  const keys = certificates.flatMap((certificate) => publicKeyOf(certificate));
  for (let i = 0; i < signatures.length; i++) {
    if (!signatureVerifies(signatures.item(i) as Element, keys, firstSignedInfo))
      throw samlRejection('bad-signature');
  }
}

type AncestorNamespaces = ReturnType<typeof findAncestorNs>;

function signatureVerifies(
  signature: Element,
  keys: readonly KeyObject[],
  firstSignedInfo: Element | undefined,
): boolean {
  // xml-crypto reads the first of each of these below the Signature in document order, at any depth: one
  // slipped in ahead of the real one (inside CanonicalizationMethod, say) would make it read another algorithm
  // or value than the one in its place, which is what we read.
  const signedInfo = firstDescendant(signature, 'SignedInfo', signature);
  const canonicalization = attributeOf(
    firstDescendant(signature, 'CanonicalizationMethod', signedInfo),
    'Algorithm',
  );
  const method = attributeOf(firstDescendant(signature, 'SignatureMethod', signedInfo), 'Algorithm');
  const value = firstDescendant(signature, 'SignatureValue', signature);
  if (canonicalization === undefined || !SIGNED_INFO_CANONICALIZATIONS.has(canonicalization)) return false;
  const digest = method === undefined ? undefined : SIGNATURE_DIGESTS.get(method);
  if (digest === undefined) return false;
  const signatureBytes = Buffer.from(textOnly(value), 'base64');
  if (signatureBytes.length === 0) return false;
  // The namespaces in scope at this SignedInfo (XML Signature's reading), and at the document's first element
  // named SignedInfo (what xml-crypto reads for every signature): either reading that verifies passes.
  const readings: Element[] = [signedInfo];
  if (firstSignedInfo !== undefined && firstSignedInfo !== signedInfo) readings.push(firstSignedInfo);
  return readings.some((scope) => {
    const ancestorNamespaces: AncestorNamespaces = findAncestorNs(scope as never, '.');
    const canonical = new SignedXml().getCanonXml([canonicalization], signedInfo as never, {
      ancestorNamespaces,
    });
    const signedBytes = Buffer.from(canonical, 'utf8');
    return keys.some((key) => verifies(digest, signedBytes, key, signatureBytes));
  });
}

/** RSA PKCS#1 v1.5 verification; a key of another type that cannot read the signature verifies nothing. */
function verifies(digest: string, signed: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(digest, signed, key, signature);
  } catch {
    return false;
  }
}

/**
 * The first element below `signature` in document order with this local name in any namespace, as xml-crypto finds
 * it; unless it is the `ds:` child of `parent` where XML Signature puts it, the message is malformed.
 */
function firstDescendant(signature: Element, localName: string, parent: Element): Element {
  const element = signature.getElementsByTagNameNS('*', localName).item(0);
  if (element === null || element.namespaceURI !== DSIG_NS || element.parentNode !== parent)
    throw samlRejection('malformed-message');
  return element;
}

/** An element's text; anything but text inside a SignatureValue is malformed. */
function textOnly(element: Element): string {
  let text = '';
  for (let child: Node | null = element.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType !== child.TEXT_NODE) throw samlRejection('malformed-message');
    text += child.nodeValue ?? '';
  }
  return text;
}

/** The certificate's key; none when it cannot be read (validated at start-up: it would verify nothing). */
function publicKeyOf(certificate: string): KeyObject[] {
  try {
    return [createPublicKey(certificate)];
  } catch {
    return [];
  }
}
