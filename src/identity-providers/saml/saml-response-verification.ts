import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
// node-saml's own signature check and decryption (xml-crypto / xml-encryption over its own DOM); the package
// has no exports map for them.
import { decryptXml, parseDomFromString, validateSignature } from '@node-saml/node-saml/lib/xml.js';
import type { Element } from '@xmldom/xmldom';
import { readAssertion } from './saml-assertion.js';
import type { SamlAssertion } from './saml-assertion.js';
import { checkResponseEnvelope } from './saml-checks.js';
import { checkMessageShape } from './saml-message-shape.js';
import {
  SamlRejection,
  samlRejection,
  translateLibraryError,
  type SamlRejectionReason,
} from './saml-rejection.js';
import { checkSignatureReferences } from './saml-signature-references.js';
import { checkSignatureValues } from './saml-signature-values.js';
import {
  DSIG_NS,
  SAMLP_NS,
  SAML_NS,
  attributeOf,
  childElements,
  isSamlElement,
  optionalChild,
  parseSamlXml,
} from './saml-xml.js';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** What verifying one Response needs to know about the IdP and about us; plain data (it crosses to a worker). */
export interface ResponseVerificationSettings {
  readonly idpEntityId: string;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly certificates: readonly string[];
  readonly wantAssertionsSigned: boolean;
  readonly wantResponseSigned: boolean;
  readonly decryptionKey?: string;
  readonly allowSha1: boolean;
}

/** A Response whose assertion signature verified: only the verified assertion is read. */
export interface VerifiedResponse {
  /** The outer Response's InResponseTo (unsigned unless the Response is signed); empty reads as absent. */
  readonly responseInResponseTo?: string;
  readonly assertion: SamlAssertion;
}

/**
 * Verifies a SAML Response up to a signed, decrypted assertion: shape limits first (one linear scan), then
 * IDs, references and algorithms (one DOM walk), then each SignatureValue over its SignedInfo (refusal only,
 * checkSignatureValues), then node-saml's signature verification, and the checks it
 * leaves open (Destination, Issuer, a failing response signature, a second assertion). Validity windows,
 * InResponseTo, replay and identity mapping are the caller's. Refusals are samlRejection errors.
 *
 * The response is parsed more than once on purpose, as a defence against XML signature wrapping (W3C XML
 * Signature Best Practices: "see what is signed"): a wrapped response carries a genuinely signed assertion
 * next to a forged one, and an SP that verifies one element but reads another is fooled. So our strict parse
 * only refuses (shape, unique IDs, one assertion, references to the signed element); node-saml parses it
 * again into its own DOM to verify the signatures, and hands back the XML it verified; and the identity is
 * read by parsing that verified XML alone (readAssertion), never a node found in our first parse. Sharing one
 * DOM across those steps would save the parses but reopen the gap between what was signed and what is used.
 */
export async function verifySamlResponse(
  xml: string,
  settings: ResponseVerificationSettings,
): Promise<VerifiedResponse> {
  checkMessageShape(xml);
  const response = requireRoot(parseSamlXml(xml).documentElement);
  if (!isSamlElement(response, SAMLP_NS, 'Response')) throw samlRejection('not-a-response');
  checkStatus(response);
  checkSignatureReferences(response, settings);

  const responseSigned = checkSignaturesPresent(response, settings);
  checkResponseEnvelope(response, settings, responseSigned);
  // Refuses, on this parse, a signature that is not the IdP's before node-saml's parses and digests are spent.
  checkSignatureValues(response, settings.certificates);
  // node-saml treats a response signature that fails as if it were absent and falls back to the
  // assertion's: a signature that is there must verify, or the response was altered after signing.
  if (responseSigned) await checkResponseSignature(xml, settings.certificates);

  const encrypted = childElements(response, SAML_NS, 'EncryptedAssertion')[0];
  let profileXml: string | undefined;
  if (encrypted === undefined) {
    profileXml = await libraryVerifiedAssertion(xml, settings);
  } else {
    // Until the decrypted assertion's signature verifies, every failure reads the same from outside: the
    // content may be an attacker's ciphertext, and telling padding errors from parse or signature errors
    // would make AES-CBC a decryption oracle.
    try {
      await checkDecryptedAssertion(encrypted, settings);
      profileXml = await libraryVerifiedAssertion(xml, settings);
    } catch (error) {
      throw samlRejection('decryption-failed', error);
    }
  }
  // An assertion hidden anywhere else in the response (Extensions, Signature/Object…) is a wrapping
  // attempt even when the one node-saml verified is genuine: refuse the whole response.
  const everywhere =
    response.getElementsByTagNameNS(SAML_NS, 'Assertion').length +
    response.getElementsByTagNameNS(SAML_NS, 'EncryptedAssertion').length;
  if (everywhere > 1) throw samlRejection('multiple-assertions');
  const responseInResponseTo = attributeOf(response, 'InResponseTo') || undefined;
  return {
    assertion: readAssertion(profileXml),
    ...(responseInResponseTo === undefined ? {} : { responseInResponseTo }),
  };
}

/** node-saml's verification with InResponseTo and time checks left to us; returns the verified assertion XML. */
async function libraryVerifiedAssertion(
  xml: string,
  settings: ResponseVerificationSettings,
): Promise<string> {
  const library = new SAML({
    issuer: settings.spEntityId,
    callbackUrl: settings.acsUrl,
    idpCert: [...settings.certificates],
    idpIssuer: settings.idpEntityId,
    audience: settings.spEntityId,
    wantAssertionsSigned: settings.wantAssertionsSigned,
    wantAuthnResponseSigned: settings.wantResponseSigned,
    validateInResponseTo: ValidateInResponseTo.never,
    // node-saml reads the wall clock; validity windows are checked by the caller with the injected clock.
    acceptedClockSkewMs: -1,
    identifierFormat: null,
    ...(settings.decryptionKey === undefined ? {} : { decryptionPvk: settings.decryptionKey }),
  });
  let verifiedXml: string | undefined;
  try {
    const { profile } = await library.validatePostResponseAsync({
      SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
    });
    verifiedXml = profile?.getAssertionXml?.();
  } catch (error) {
    throw translateLibraryError(error);
  }
  // Only the XML node-saml verified is read from here on: never the raw response (signature wrapping).
  if (verifiedXml === undefined) throw samlRejection('missing-assertion');
  return verifiedXml;
}

/**
 * The decrypted assertion is unauthenticated input like the rest (anyone can encrypt to our certificate):
 * the same shape limits, ID and reference rules and algorithms apply to it before node-saml verifies it.
 */
async function checkDecryptedAssertion(
  encrypted: Element,
  settings: ResponseVerificationSettings,
): Promise<void> {
  if (settings.decryptionKey === undefined) throw samlRejection('decryption-failed');
  const decrypted = await decryptXml(encrypted.toString(), settings.decryptionKey);
  checkMessageShape(decrypted);
  const root = requireRoot(parseSamlXml(decrypted).documentElement);
  if (!isSamlElement(root, SAML_NS, 'Assertion')) throw samlRejection('decryption-failed');
  checkSignatureReferences(root, settings);
  checkSignatureValues(root, settings.certificates);
}

/** The Response's own enveloped signature verifies against the IdP's current certificates. */
async function checkResponseSignature(xml: string, certificates: readonly string[]): Promise<void> {
  let valid = false;
  try {
    const document = await parseDomFromString(xml);
    valid = validateSignature(xml, document.documentElement, [...certificates]);
  } catch {
    valid = false;
  }
  if (!valid) throw samlRejection('bad-signature');
}

/** Stable reasons for a missing signature, before node-saml's generic "invalid signature". */
function checkSignaturesPresent(response: Element, settings: ResponseVerificationSettings): boolean {
  const responseSigned = childElements(response, DSIG_NS, 'Signature').length > 0;
  const assertions = childElements(response, SAML_NS, 'Assertion');
  const encrypted = childElements(response, SAML_NS, 'EncryptedAssertion');
  if (assertions.length + encrypted.length > 1) throw samlRejection('multiple-assertions');
  if (assertions.length + encrypted.length === 0) throw samlRejection('missing-assertion');
  if (settings.wantResponseSigned && !responseSigned) throw samlRejection('unsigned-response');
  const assertion = assertions[0];
  if (assertion !== undefined) {
    const assertionSigned = childElements(assertion, DSIG_NS, 'Signature').length > 0;
    if (!assertionSigned && (settings.wantAssertionsSigned || !responseSigned))
      throw samlRejection('unsigned-assertion');
  } else if (encrypted.length > 0 && settings.decryptionKey === undefined) {
    throw samlRejection('decryption-failed');
  }
  return responseSigned;
}

function checkStatus(response: Element): void {
  const status = optionalChild(response, SAMLP_NS, 'Status');
  const code = status && optionalChild(status, SAMLP_NS, 'StatusCode');
  if (code === undefined || attributeOf(code, 'Value') !== SUCCESS) throw samlRejection('idp-error-status');
}

function requireRoot(root: Element | null): Element {
  if (root === null) throw samlRejection('malformed-message');
  return root;
}

/** The stable reason of whatever verification threw (a worker sends only this across). */
export function rejectionReasonOf(error: unknown): SamlRejectionReason {
  const translated = error instanceof SamlRejection ? error : translateLibraryError(error);
  return translated instanceof SamlRejection ? translated.reason : 'rejected-by-library';
}
