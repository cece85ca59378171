import {
  childrenOf,
  DER_TAG,
  DerError,
  encodingOf,
  readOid,
  readString,
  type DerElement,
} from './der-reader.js';

/** One attribute of a distinguished name, in encoding order. */
export interface NameAttribute {
  /** The short name (`CN`, `OU`, `DC`…) or the dotted OID when fedgate has no name for it. */
  readonly type: string;
  readonly value: string;
}

/** A parsed X.501 Name: its attributes in encoding order, its RFC 4514 text, and its DER for exact matching. */
export interface DistinguishedName {
  readonly attributes: readonly NameAttribute[];
  /** RFC 4514 form, most specific first (`CN=app,O=Example,C=GB`). */
  readonly text: string;
  /** The Name's DER, hex: issuer/subject matching compares these. */
  readonly derHex: string;
}

/**
 * The relative distinguished name types fedgate names (and maps to `x509Subject/<name>`, `x509Issuer/<name>`):
 * RFC 4519 / RFC 5280 attribute types, with AWS's spelling (`emailAddress`, `UID`, `DC`).
 */
const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** The short names fedgate recognises (the `*` of an attribute mapping). */
export const KNOWN_NAME_ATTRIBUTES: readonly string[] = Object.values(ATTRIBUTE_NAMES);

/** Parses the Name element (a SEQUENCE of SETs of type/value pairs). */
export function readDistinguishedName(buffer: Uint8Array, name: DerElement): DistinguishedName {
  if (name.tag !== DER_TAG.SEQUENCE) throw new DerError('a Name is a SEQUENCE');
  const attributes: NameAttribute[] = [];
  for (const rdn of childrenOf(buffer, name, 64)) {
    if (rdn.tag !== DER_TAG.SET) throw new DerError('an RDN is a SET');
    for (const pair of childrenOf(buffer, rdn, 16)) {
      const [typeElement, valueElement] = childrenOf(buffer, pair, 2);
      if (typeElement === undefined || valueElement === undefined) throw new DerError('bad attribute');
      const oid = readOid(buffer, typeElement);
      attributes.push({ type: ATTRIBUTE_NAMES[oid] ?? oid, value: readString(buffer, valueElement) });
    }
  }
  return {
    attributes,
    text: [...attributes]
      .reverse()
      .map((attribute) => `${attribute.type}=${escapeRfc4514(attribute.value)}`)
      .join(','),
    derHex: Buffer.from(encodingOf(buffer, name)).toString('hex'),
  };
}

/** The first value of an attribute type (`CN`), if the name has one. */
export function firstAttribute(name: DistinguishedName, type: string): string | undefined {
  return name.attributes.find((attribute) => attribute.type === type)?.value;
}

/** RFC 4514 section 2.4 escaping. */
function escapeRfc4514(value: string): string {
  return value
    .replace(/[\\"+,;<>=]/g, (char) => `\\${char}`)
    .replace(/^[ #]/, (char) => `\\${char}`)
    .replace(/ $/, '\\ ')
    .replace(/\0/g, '\\00');
}
