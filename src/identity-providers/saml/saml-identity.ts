import { SAML_RESERVED_CONTEXT_NAMES, validateTagSet } from '../../federation/index.js';
import type { FederatedIdentity } from '../../federation/index.js';
import type { SamlAssertion } from './saml-assertion.js';
import { samlRejection } from './saml-rejection.js';

/** The AWS SAML attribute names IdPs set up for AWS federation already send (SPEC 5.3). */
export const AWS_SAML_ATTRIBUTE = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  sessionDuration: 'https://aws.amazon.com/SAML/Attributes/SessionDuration',
  sourceIdentity: 'https://aws.amazon.com/SAML/Attributes/SourceIdentity',
  principalTagPrefix: 'https://aws.amazon.com/SAML/Attributes/PrincipalTag:',
  transitiveTagKeys: 'https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys',
} as const;

/** How a provider's config maps an assertion onto a federated identity (SPEC 3, `subject`/`groups`/…). */
export interface SamlIdentityMapping {
  readonly providerId: string;
  readonly idpEntityId: string;
  readonly spEntityId: string;
  /** `nameID` or `attr:<name>`. */
  readonly subject: string;
  /** `attr:<name>`. */
  readonly groups?: string;
  /** `nameID` or `attr:<name>`. */
  readonly sessionName?: string;
  /** Tag key → `nameID` or `attr:<name>`. */
  readonly tags: Readonly<Record<string, string>>;
  readonly mfaAuthnContexts: readonly string[];
}

/** A federated identity from SAML, and the attributes whose values could not become session tags. */
export interface SamlIdentity {
  readonly identity: FederatedIdentity;
  /** Names of the attributes whose value was refused as a session tag (no role can then be assumed). */
  readonly refusedTagAttributes: readonly string[];
}

/** Normalises a checked assertion into a federated identity (SPEC 5.1, 5.3). */
export function samlAssertionToIdentity(
  assertion: SamlAssertion,
  mapping: SamlIdentityMapping,
): SamlIdentity {
  const subject = firstValue(assertion, mapping.subject);
  if (subject === undefined || subject === '') throw samlRejection('missing-subject');
  const attributes = assertion.attributes;
  checkAttributeNames(attributes);

  const groups = mapping.groups === undefined ? [] : allValues(assertion, mapping.groups);
  const sessionName =
    (mapping.sessionName === undefined ? undefined : firstValue(assertion, mapping.sessionName)) ??
    attributes[AWS_SAML_ATTRIBUTE.roleSessionName]?.[0] ??
    subject;

  const tags: Record<string, string> = {};
  const tagSources: Record<string, string> = {};
  for (const [name, values] of Object.entries(attributes)) {
    if (!name.startsWith(AWS_SAML_ATTRIBUTE.principalTagPrefix)) continue;
    const key = name.slice(AWS_SAML_ATTRIBUTE.principalTagPrefix.length);
    if (key !== '' && values[0] !== undefined) {
      tags[key] = values[0];
      tagSources[key] = name;
    }
  }
  // The administrator's mapping wins over what the IdP volunteers under the same key.
  for (const [key, source] of Object.entries(mapping.tags)) {
    const value = firstValue(assertion, source);
    if (value !== undefined) {
      tags[key] = value;
      tagSources[key] = source === 'nameID' ? 'NameID' : source.slice('attr:'.length);
    }
  }
  const refusedTagAttributes = Object.entries(tags)
    .filter(([key, value]) => !isAcceptedTag(key, value))
    .map(([key]) => tagSources[key] ?? key);

  const transitiveTagKeys = splitList(attributes[AWS_SAML_ATTRIBUTE.transitiveTagKeys]);
  const allowedRoleArns = roleArns(attributes[AWS_SAML_ATTRIBUTE.role]);
  const sessionDuration = parseSessionDuration(attributes[AWS_SAML_ATTRIBUTE.sessionDuration]);
  const sourceIdentity = attributes[AWS_SAML_ATTRIBUTE.sourceIdentity]?.[0];
  const nameId = assertion.nameId;
  const classRefs = assertion.authnContextClassRefs;

  const identity: FederatedIdentity = {
    provider: mapping.providerId,
    providerType: 'saml',
    issuer: mapping.idpEntityId,
    subject,
    attributes,
    groups,
    amr: classRefs,
    mfa: classRefs.some((ref) => mapping.mfaAuthnContexts.includes(ref)),
    authTime: Math.floor((assertion.authnInstant ?? assertion.issueInstant) / 1000),
    ...(nameId?.format === undefined ? {} : { nameIdFormat: nameId.format }),
    ...(nameId?.nameQualifier === undefined ? {} : { nameQualifier: nameId.nameQualifier }),
    audience: mapping.spEntityId,
    sessionName,
    tags,
    ...(transitiveTagKeys.length === 0 ? {} : { transitiveTagKeys }),
    ...(sourceIdentity === undefined || sourceIdentity === '' ? {} : { sourceIdentity }),
    ...(allowedRoleArns.length === 0 ? {} : { allowedRoleArns }),
    ...(sessionDuration === undefined ? {} : { sessionDuration }),
  };
  return { identity, refusedTagAttributes: [...new Set(refusedTagAttributes)] };
}

/**
 * Every attribute becomes the context key `saml:<name>`, and keys are case-insensitive: a name that is one of
 * the keys fedgate sets itself (`SUB`), or that repeats another attribute's name ignoring case, is refused
 * here rather than failing later inside a policy evaluation.
 */
function checkAttributeNames(attributes: Readonly<Record<string, readonly string[]>>): void {
  const seen = new Set<string>(SAML_RESERVED_CONTEXT_NAMES);
  for (const name of Object.keys(attributes)) {
    const folded = name.toLowerCase();
    if (seen.has(folded)) throw samlRejection('reserved-attribute-name');
    seen.add(folded);
  }
}

function isAcceptedTag(key: string, value: string): boolean {
  try {
    validateTagSet({ tags: { [key]: value }, transitiveTagKeys: [] }, 'IDPRejectedClaim');
    return true;
  } catch {
    return false;
  }
}

/** Values named by a mapping source: `nameID` or `attr:<name>`. */
function allValues(assertion: SamlAssertion, source: string): readonly string[] {
  if (source === 'nameID') return assertion.nameId === undefined ? [] : [assertion.nameId.value];
  if (source.startsWith('attr:')) return assertion.attributes[source.slice('attr:'.length)] ?? [];
  throw new TypeError(`unsupported SAML mapping source: ${source}`);
}

function firstValue(assertion: SamlAssertion, source: string): string | undefined {
  return allValues(assertion, source)[0];
}

function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

// Each Role value is "role ARN,provider ARN" in either order; only the role half restricts the choice.
function roleArns(values: readonly string[] | undefined): string[] {
  const arns = splitList(values).filter((arn) => /^arn:[^:]+:iam::[^:]*:role\/./.test(arn));
  return [...new Set(arns)];
}

function parseSessionDuration(values: readonly string[] | undefined): number | undefined {
  const value = values?.[0];
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value.trim())) throw samlRejection('invalid-aws-attribute');
  return Number(value.trim());
}
