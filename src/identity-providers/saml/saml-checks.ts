import type { Element } from '@xmldom/xmldom';
import type { SamlAssertion, SamlSubjectConfirmation } from './saml-assertion.js';
import { samlRejection } from './saml-rejection.js';
import { SAML_NS, attributeOf, optionalChild, textOf } from './saml-xml.js';

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** How a response's `InResponseTo` relates to what we sent. */
export type InResponseToExpectation =
  | { readonly kind: 'match'; readonly requestId: string } // SP-initiated: the id of our AuthnRequest
  | { readonly kind: 'absent' } // IdP-initiated: no request was sent, none may be named
  | { readonly kind: 'ignore' }; // AssumeRoleWithSAML: the client ran its own login

/** What a response and its assertion must say to be accepted by this service provider. */
export interface AssertionExpectations {
  readonly idpEntityId: string;
  readonly spEntityId: string;
  readonly acsUrl: string;
  readonly inResponseTo: InResponseToExpectation;
  readonly nowMs: number;
  readonly clockSkewMs: number;
  /** How long after its IssueInstant an assertion may still be used (`maxAssertionAge`), before skew. */
  readonly maxAssertionAgeMs: number;
}

/**
 * Checks the envelope node-saml does not: the Response's Issuer (when present) is the IdP's, and its
 * Destination is our ACS. A signed response must carry a Destination (SAML bindings 3.5.5.2).
 */
export function checkResponseEnvelope(
  response: Element,
  expected: Pick<AssertionExpectations, 'idpEntityId' | 'acsUrl'>,
  responseSigned: boolean,
): void {
  const issuer = optionalChild(response, SAML_NS, 'Issuer');
  if (issuer !== undefined && textOf(issuer) !== expected.idpEntityId) throw samlRejection('wrong-issuer');
  const destination = attributeOf(response, 'Destination');
  if (destination === undefined) {
    if (responseSigned) throw samlRejection('missing-destination');
  } else if (destination !== expected.acsUrl) {
    throw samlRejection('wrong-destination');
  }
}

/**
 * Checks the verified assertion: issuer, audience, validity window and a bearer subject confirmation
 * addressed to our ACS. Returns the instant after which the assertion can no longer be accepted, which
 * bounds how long its id must stay in the replay cache.
 */
export function checkAssertion(assertion: SamlAssertion, expected: AssertionExpectations): number {
  const { nowMs, clockSkewMs } = expected;
  if (assertion.issuer !== expected.idpEntityId) throw samlRejection('wrong-issuer');
  if (assertion.issueInstant > nowMs + clockSkewMs) throw samlRejection('not-yet-valid');
  if (assertion.notBefore !== undefined && assertion.notBefore > nowMs + clockSkewMs)
    throw samlRejection('not-yet-valid');
  if (assertion.notOnOrAfter !== undefined && assertion.notOnOrAfter <= nowMs - clockSkewMs)
    throw samlRejection('expired');
  const tooOldAfter = assertion.issueInstant + expected.maxAssertionAgeMs;
  if (tooOldAfter <= nowMs - clockSkewMs) throw samlRejection('assertion-too-old');
  // SAML profiles 4.1.4.2: an assertion used for Web Browser SSO carries at least one AuthnStatement.
  if (!assertion.hasAuthnStatement) throw samlRejection('missing-authn-statement');

  const restrictions = assertion.audienceRestrictions ?? [];
  if (
    restrictions.length === 0 ||
    !restrictions.every((audiences) => audiences.includes(expected.spEntityId))
  ) {
    throw samlRejection('wrong-audience');
  }

  const confirmation = acceptedConfirmation(assertion.confirmations, expected);
  // A bearer confirmation always has NotOnOrAfter (checked above); Conditions may narrow it further, and
  // maxAssertionAge bounds it whatever the IdP wrote (a NotOnOrAfter ten years ahead buys nothing).
  const confirmationEnd = confirmation.notOnOrAfter ?? Number.POSITIVE_INFINITY;
  return (
    Math.min(confirmationEnd, assertion.notOnOrAfter ?? Number.POSITIVE_INFINITY, tooOldAfter) + clockSkewMs
  );
}

function acceptedConfirmation(
  confirmations: readonly SamlSubjectConfirmation[],
  expected: AssertionExpectations,
): SamlSubjectConfirmation {
  const bearers = confirmations.filter((confirmation) => confirmation.method === BEARER);
  if (bearers.length === 0) throw samlRejection('missing-subject-confirmation');
  let firstFailure: ReturnType<typeof samlRejection> | undefined;
  for (const confirmation of bearers) {
    const failure = confirmationFailure(confirmation, expected);
    if (failure === undefined) return confirmation;
    firstFailure ??= failure;
  }
  throw firstFailure ?? samlRejection('missing-subject-confirmation');
}

function confirmationFailure(
  confirmation: SamlSubjectConfirmation,
  expected: AssertionExpectations,
): ReturnType<typeof samlRejection> | undefined {
  const { nowMs, clockSkewMs } = expected;
  if (confirmation.recipient !== expected.acsUrl) return samlRejection('wrong-recipient');
  // The Web Browser SSO profile requires a bounded bearer confirmation.
  if (confirmation.notOnOrAfter === undefined) return samlRejection('missing-subject-confirmation');
  if (confirmation.notOnOrAfter <= nowMs - clockSkewMs) return samlRejection('expired');
  if (confirmation.notBefore !== undefined && confirmation.notBefore > nowMs + clockSkewMs) {
    return samlRejection('not-yet-valid');
  }
  const expectation = expected.inResponseTo;
  // SAML profiles 4.1.4.2/4.1.4.3: the bearer confirmation of an answer names the request it answers. The
  // outer Response is often unsigned, so its InResponseTo alone proves nothing.
  if (expectation.kind === 'match' && confirmation.inResponseTo !== expectation.requestId) {
    return samlRejection('in-response-to-mismatch');
  }
  if (expectation.kind === 'absent' && confirmation.inResponseTo !== undefined)
    return samlRejection('in-response-to-mismatch');
  return undefined;
}
