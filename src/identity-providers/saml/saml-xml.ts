import { isUtf8 } from 'node:buffer';
import { inflateRawSync } from 'node:zlib';
import { DOMParser, onWarningStopParsing } from '@xmldom/xmldom';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { samlRejection } from './saml-rejection.js';

/** SAML 2.0 protocol namespace (Response, LogoutRequest, Status…). */
export const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
/** SAML 2.0 assertion namespace (Assertion, Issuer, Subject…). */
export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
/** XML digital signature namespace. */
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
/** SAML 2.0 metadata namespace. */
export const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';

/** Upper bound of a decoded SAML message; real responses are a few KiB, this leaves room for big attribute sets. */
export const MAX_SAML_MESSAGE_BYTES = 512 * 1024;

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
// A DTD is the door to entity expansion and external entities; SAML never needs one.
const DTD = /<!(DOCTYPE|ENTITY)/i;

/** Decodes a base64 form/query field into UTF-8 text, refusing non-strings, bad encodings and oversize input. */
export function decodeBase64Field(value: unknown): Buffer {
  if (typeof value !== 'string' || value.length === 0) throw samlRejection('malformed-message');
  if (value.length > (MAX_SAML_MESSAGE_BYTES * 4) / 3 + 4) throw samlRejection('message-too-large');
  if (!BASE64.test(value)) throw samlRejection('malformed-message');
  return Buffer.from(value, 'base64');
}

/**
 * Strict UTF-8 decoding: an invalid byte sequence is refused rather than silently replaced. Reads as the WHATWG
 * decoder (`TextDecoder` with `fatal: true`) reads, a leading byte order mark dropped; validated by `isUtf8`
 * first, then decoded.
 */
export function utf8(bytes: Buffer): string {
  if (bytes.length > MAX_SAML_MESSAGE_BYTES) throw samlRejection('message-too-large');
  if (!isUtf8(bytes)) throw samlRejection('malformed-message');
  const byteOrderMark = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bytes.toString('utf8', byteOrderMark ? 3 : 0);
}

/** Inflates an HTTP-Redirect binding message with a bounded output size (no deflate bombs). */
export function inflateRedirectMessage(value: unknown): string {
  const bytes = decodeBase64Field(value);
  try {
    return utf8(inflateRawSync(bytes, { maxOutputLength: MAX_SAML_MESSAGE_BYTES }));
  } catch (error) {
    if (error instanceof Error && error.name === 'FedgateError') throw error;
    throw samlRejection('malformed-message', error);
  }
}

/**
 * Parses SAML XML strictly: any DTD is refused before parsing, and any parser warning (a second root,
 * stray text, an unbound prefix) stops parsing, so what we read is what a strict parser would read.
 */
export function parseSamlXml(xml: string): Document {
  if (DTD.test(xml)) throw samlRejection('dtd-refused');
  let document: Document;
  try {
    document = new DOMParser({ onError: onWarningStopParsing }).parseFromString(xml, 'text/xml');
  } catch (error) {
    throw samlRejection('malformed-message', error);
  }
  if (document.documentElement === null || document.doctype !== null)
    throw samlRejection('malformed-message');
  return document;
}

/** The element children of `parent` with this namespace and local name, in document order. */
export function childElements(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node: Node | null = parent.firstChild; node !== null; node = node.nextSibling) {
    if (isElement(node) && node.namespaceURI === namespace && node.localName === localName) found.push(node);
  }
  return found;
}

/** The single child element, undefined when absent; more than one is malformed. */
export function optionalChild(parent: Element, namespace: string, localName: string): Element | undefined {
  const found = childElements(parent, namespace, localName);
  if (found.length > 1) throw samlRejection('malformed-message');
  return found[0];
}

/**
 * All the text under an element. Comments and processing instructions are skipped, never treated as an
 * end, so `user@evil.com<!---->.example.com` reads as the whole value (the comment-truncation attack).
 */
export function textOf(element: Element): string {
  let text = '';
  const visit = (node: Node): void => {
    for (let child: Node | null = node.firstChild; child !== null; child = child.nextSibling) {
      if (child.nodeType === child.TEXT_NODE || child.nodeType === child.CDATA_SECTION_NODE)
        text += child.nodeValue ?? '';
      else if (child.nodeType === child.ELEMENT_NODE) visit(child);
    }
  };
  visit(element);
  return text.trim();
}

// C0 and C1 controls and DEL. Tab, newline and carriage return are controls too: no identity carries them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const EDGE_WHITESPACE = /^\s|\s$/;

/**
 * The text of an identity-bearing element (NameID, AttributeValue) exactly as the IdP signed it, or a refusal:
 * element children, comments or processing instructions inside it (mixed content), leading or trailing
 * whitespace, and control characters are refused, never trimmed or joined into another value.
 */
export function exactTextOf(element: Element): string {
  let text = '';
  for (let child: Node | null = element.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType === child.TEXT_NODE || child.nodeType === child.CDATA_SECTION_NODE)
      text += child.nodeValue ?? '';
    else throw samlRejection('identity-value-mixed-content');
  }
  checkExactValue(text);
  return text;
}

/** Refuses a name or value with leading or trailing whitespace or with control characters. */
export function checkExactValue(value: string): void {
  if (EDGE_WHITESPACE.test(value)) throw samlRejection('identity-value-whitespace');
  if (CONTROL_CHARACTER.test(value)) throw samlRejection('identity-value-control-character');
}

/** An attribute's value, undefined when absent. */
export function attributeOf(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? (element.getAttribute(name) ?? undefined) : undefined;
}

/** True when the element is namespaced as expected. */
export function isSamlElement(element: Element, namespace: string, localName: string): boolean {
  return element.namespaceURI === namespace && element.localName === localName;
}

/** Parses an `xs:dateTime` into epoch milliseconds; a malformed time is a malformed message. */
export function parseInstant(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Date.parse accepts far more than xs:dateTime; insist on the ISO form with a zone.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw samlRejection('malformed-message');
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw samlRejection('malformed-message');
  return ms;
}

function isElement(node: Node): node is Element {
  return node.nodeType === node.ELEMENT_NODE;
}
