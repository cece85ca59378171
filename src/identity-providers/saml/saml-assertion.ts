import type { Element } from '@xmldom/xmldom';
import { samlRejection } from './saml-rejection.js';
import {
  SAML_NS,
  attributeOf,
  checkExactValue,
  childElements,
  exactTextOf,
  isSamlElement,
  optionalChild,
  parseInstant,
  parseSamlXml,
  textOf,
} from './saml-xml.js';

/** The NameID of an assertion's subject. */
export interface SamlNameId {
  readonly value: string;
  readonly format?: string;
  readonly nameQualifier?: string;
  readonly spNameQualifier?: string;
}

/** One `SubjectConfirmation` with its data. */
export interface SamlSubjectConfirmation {
  readonly method: string;
  readonly recipient?: string;
  readonly inResponseTo?: string;
  readonly notBefore?: number;
  readonly notOnOrAfter?: number;
}

/** What fedgate reads from an assertion whose signature was verified. Times are epoch milliseconds. */
export interface SamlAssertion {
  readonly id: string;
  readonly issuer: string;
  readonly issueInstant: number;
  readonly nameId?: SamlNameId;
  readonly confirmations: readonly SamlSubjectConfirmation[];
  readonly notBefore?: number;
  readonly notOnOrAfter?: number;
  /** One list per `AudienceRestriction`; each must name us. Undefined when there is no Conditions element. */
  readonly audienceRestrictions?: readonly (readonly string[])[];
  /** True when the assertion carries an AuthnStatement (the Web Browser SSO profile requires one). */
  readonly hasAuthnStatement: boolean;
  readonly authnInstant?: number;
  readonly sessionIndex?: string;
  readonly authnContextClassRefs: readonly string[];
  /** Every attribute by its Name, values in document order, repeated Attribute elements merged. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

/** Reads the verified assertion XML handed back by the signature check (never the raw, unsigned response). */
export function readAssertion(verifiedAssertionXml: string): SamlAssertion {
  const root = parseSamlXml(verifiedAssertionXml).documentElement;
  if (root === null || !isSamlElement(root, SAML_NS, 'Assertion')) throw samlRejection('missing-assertion');

  const id = attributeOf(root, 'ID');
  const issueInstant = parseInstant(attributeOf(root, 'IssueInstant'));
  const issuerElement = optionalChild(root, SAML_NS, 'Issuer');
  if (id === undefined || id === '' || issueInstant === undefined) throw samlRejection('malformed-message');
  if (issuerElement === undefined) throw samlRejection('wrong-issuer');

  const subject = optionalChild(root, SAML_NS, 'Subject');
  const conditions = optionalChild(root, SAML_NS, 'Conditions');
  const authn = childElements(root, SAML_NS, 'AuthnStatement')[0];

  const nameId = subject === undefined ? undefined : readNameId(subject);
  const notBefore = conditions && parseInstant(attributeOf(conditions, 'NotBefore'));
  const notOnOrAfter = conditions && parseInstant(attributeOf(conditions, 'NotOnOrAfter'));
  const authnInstant = authn && parseInstant(attributeOf(authn, 'AuthnInstant'));
  const sessionIndex = authn && attributeOf(authn, 'SessionIndex');

  return {
    id,
    issuer: textOf(issuerElement),
    issueInstant,
    ...(nameId === undefined ? {} : { nameId }),
    confirmations:
      subject === undefined
        ? []
        : childElements(subject, SAML_NS, 'SubjectConfirmation').map(readConfirmation),
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(notOnOrAfter === undefined ? {} : { notOnOrAfter }),
    ...(conditions === undefined
      ? {}
      : {
          audienceRestrictions: childElements(conditions, SAML_NS, 'AudienceRestriction').map((restriction) =>
            childElements(restriction, SAML_NS, 'Audience').map(textOf),
          ),
        }),
    hasAuthnStatement: authn !== undefined,
    ...(authnInstant === undefined ? {} : { authnInstant }),
    ...(sessionIndex === undefined ? {} : { sessionIndex }),
    authnContextClassRefs: childElements(root, SAML_NS, 'AuthnStatement').flatMap((statement) =>
      childElements(statement, SAML_NS, 'AuthnContext').flatMap((context) =>
        childElements(context, SAML_NS, 'AuthnContextClassRef').map(textOf),
      ),
    ),
    attributes: readAttributes(root),
  };
}

function readNameId(subject: Element): SamlNameId | undefined {
  const element = optionalChild(subject, SAML_NS, 'NameID');
  if (element === undefined) return undefined;
  const value = exactTextOf(element);
  if (value === '') return undefined;
  const format = attributeOf(element, 'Format');
  const nameQualifier = attributeOf(element, 'NameQualifier');
  const spNameQualifier = attributeOf(element, 'SPNameQualifier');
  return {
    value,
    ...(format === undefined ? {} : { format }),
    ...(nameQualifier === undefined ? {} : { nameQualifier }),
    ...(spNameQualifier === undefined ? {} : { spNameQualifier }),
  };
}

function readConfirmation(confirmation: Element): SamlSubjectConfirmation {
  const data = optionalChild(confirmation, SAML_NS, 'SubjectConfirmationData');
  const recipient = data && attributeOf(data, 'Recipient');
  const inResponseTo = (data && attributeOf(data, 'InResponseTo')) || undefined;
  const notBefore = data && parseInstant(attributeOf(data, 'NotBefore'));
  const notOnOrAfter = data && parseInstant(attributeOf(data, 'NotOnOrAfter'));
  return {
    method: attributeOf(confirmation, 'Method') ?? '',
    ...(recipient === undefined ? {} : { recipient }),
    ...(inResponseTo === undefined ? {} : { inResponseTo }),
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(notOnOrAfter === undefined ? {} : { notOnOrAfter }),
  };
}

function readAttributes(assertion: Element): Record<string, string[]> {
  const attributes: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const statement of childElements(assertion, SAML_NS, 'AttributeStatement')) {
    for (const attribute of childElements(statement, SAML_NS, 'Attribute')) {
      const name = attributeOf(attribute, 'Name');
      if (name === undefined || name === '') continue;
      checkExactValue(name);
      const values = childElements(attribute, SAML_NS, 'AttributeValue').map(exactTextOf);
      attributes[name] = [...(attributes[name] ?? []), ...values];
    }
  }
  return { ...attributes };
}
