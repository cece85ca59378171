import { FedgateError } from '../errors/index.js';
import { validateTagSet, type SessionTags } from '../federation/index.js';
import { KNOWN_NAME_ATTRIBUTES, type DistinguishedName } from './distinguished-name.js';
import type { ParsedCertificate } from './parsed-certificate.js';

/** A profile's attribute mapping: the specifiers of each certificate field (AWS `attributeMappings`). */
export interface AttributeMapping {
  readonly x509Subject: readonly string[];
  readonly x509Issuer: readonly string[];
  readonly x509SAN: readonly string[];
}

/**
 * The session tags of a certificate, named as IAM Roles Anywhere names them
 * (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/attribute-mapping.html): `x509Subject/<RDN>` and
 * `x509Issuer/<RDN>` for the mapped relative distinguished names (`*` = every one fedgate recognises), and
 * `x509SAN/DNS`, `x509SAN/URI` (a SPIFFE ID, say), `x509SAN/Name/<RDN>` from the first name of each kind. An
 * RDN that occurs more than once contributes its first value. A value outside the session-tag character set is
 * refused (ValidationError) rather than altered: map fewer attributes in the profile to leave it out.
 */
export function certificateTags(certificate: ParsedCertificate, mapping: AttributeMapping): SessionTags {
  const tags: Record<string, string> = {};
  addNameTags(tags, 'x509Subject', certificate.subject, mapping.x509Subject);
  addNameTags(tags, 'x509Issuer', certificate.issuer, mapping.x509Issuer);
  const san = certificate.subjectAlternativeNames;
  for (const specifier of mapping.x509SAN) {
    if (specifier === 'DNS' && san.dns[0] !== undefined) tags['x509SAN/DNS'] = san.dns[0];
    else if (specifier === 'URI' && san.uri[0] !== undefined) tags['x509SAN/URI'] = san.uri[0];
    else if (specifier.startsWith('Name/') && san.directoryNames[0] !== undefined)
      addNameTags(tags, 'x509SAN/Name', san.directoryNames[0], [specifier.slice('Name/'.length)]);
  }
  try {
    return validateTagSet({ tags, transitiveTagKeys: [] }).tags;
  } catch (error) {
    if (error instanceof FedgateError)
      throw new FedgateError(
        'ValidationError',
        `A certificate attribute cannot be a session tag: ${error.detail}. Map fewer attributes in the profile's attributeMapping.`,
      );
    throw error;
  }
}

function addNameTags(
  tags: Record<string, string>,
  prefix: string,
  name: DistinguishedName,
  specifiers: readonly string[],
): void {
  const wanted = specifiers.includes('*') ? new Set(KNOWN_NAME_ATTRIBUTES) : new Set(specifiers);
  for (const attribute of name.attributes) {
    const key = `${prefix}/${attribute.type}`;
    if (wanted.has(attribute.type) && !(key in tags)) tags[key] = attribute.value;
  }
}
