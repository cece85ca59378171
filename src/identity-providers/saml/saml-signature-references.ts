import type { Element, Node } from '@xmldom/xmldom';
import { samlRejection } from './saml-rejection.js';
import { DSIG_NS, attributeOf } from './saml-xml.js';

const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

/** Signature methods accepted by default (RSA with SHA-2; xml-crypto verifies these). */
const SIGNATURE_METHODS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);
/** Digest methods accepted by default. */
const DIGEST_METHODS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

/** What the reference check allows beyond the defaults. */
export interface SignatureAlgorithmPolicy {
  /** RSA-SHA1 signatures and SHA-1 digests (per-provider `allowSha1`). */
  readonly allowSha1: boolean;
}

/**
 * One linear walk over a parsed message: every `ID`/`Id`/`id` value is unique across the document, and every
 * `ds:Signature` has exactly one `ds:Reference` whose `#id` names exactly one element, the signature's own
 * parent (an enveloped signature, as SAML requires), with an accepted signature and digest algorithm.
 * After this, the signature library's own lookups cannot be steered to a second element, and a forged
 * reference is refused before any library work is spent on it.
 */
export function checkSignatureReferences(root: Element, policy: SignatureAlgorithmPolicy): void {
  const ids = new Map<string, Element>();
  const signatures: Element[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.nodeType !== node.ELEMENT_NODE) continue;
    const element = node as Element;
    for (const name of ['ID', 'Id', 'id']) {
      const value = attributeOf(element, name);
      if (value === undefined) continue;
      if (ids.has(value)) throw samlRejection('duplicate-id');
      ids.set(value, element);
    }
    if (element.namespaceURI === DSIG_NS && element.localName === 'Signature') signatures.push(element);
    for (let child = element.lastChild; child !== null; child = child.previousSibling) stack.push(child);
  }
  for (const signature of signatures) checkSignature(signature, ids, policy);
}

function checkSignature(
  signature: Element,
  ids: ReadonlyMap<string, Element>,
  policy: SignatureAlgorithmPolicy,
): void {
  const signedInfo = onlyChild(signature, 'SignedInfo');
  const method = attributeOf(onlyChild(signedInfo, 'SignatureMethod'), 'Algorithm') ?? '';
  if (!SIGNATURE_METHODS.has(method) && !(policy.allowSha1 && method === RSA_SHA1)) {
    throw samlRejection('weak-algorithm');
  }
  const references = dsigChildren(signedInfo, 'Reference');
  if (references.length !== 1) throw samlRejection('unresolved-reference');
  const reference = references[0] as Element;
  const digest = attributeOf(onlyChild(reference, 'DigestMethod'), 'Algorithm') ?? '';
  if (!DIGEST_METHODS.has(digest) && !(policy.allowSha1 && digest === SHA1)) {
    throw samlRejection('weak-algorithm');
  }
  const uri = attributeOf(reference, 'URI') ?? '';
  if (!uri.startsWith('#') || uri.length < 2) throw samlRejection('unresolved-reference');
  const target = ids.get(uri.slice(1));
  if (target === undefined || target !== signature.parentNode) throw samlRejection('unresolved-reference');
}

function dsigChildren(parent: Element, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType !== node.ELEMENT_NODE) continue;
    const element = node as Element;
    if (element.namespaceURI === DSIG_NS && element.localName === localName) found.push(element);
  }
  return found;
}

function onlyChild(parent: Element, localName: string): Element {
  const found = dsigChildren(parent, localName);
  if (found.length !== 1) throw samlRejection('malformed-message');
  return found[0] as Element;
}
