import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import {
  childrenOf,
  contentOf,
  DER_TAG,
  DerError,
  expectElement,
  readBitString,
  readElement,
  readIntegerHex,
  readOid,
  readTime,
  type DerElement,
} from './der-reader.js';
import { readDistinguishedName, type DistinguishedName } from './distinguished-name.js';

/** Subject alternative names by kind, in certificate order. */
export interface SubjectAlternativeNames {
  readonly dns: readonly string[];
  readonly uri: readonly string[];
  readonly email: readonly string[];
  readonly ip: readonly string[];
  readonly directoryNames: readonly DistinguishedName[];
}

/** What fedgate reads from one certificate: node:crypto's parse plus the fields it does not expose. */
export interface ParsedCertificate {
  readonly x509: X509Certificate;
  readonly der: Buffer;
  /** Hex SHA-256 of the DER. */
  readonly fingerprint: string;
  /** Lowercase hex, no leading zeros. */
  readonly serialHex: string;
  /** The serial in decimal, as the Roles Anywhere `Credential=` carries it. */
  readonly serialDecimal: string;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  /** Epoch ms. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** basicConstraints cA. */
  readonly isCa: boolean;
  readonly pathLength: number | undefined;
  /** keyUsage bits by name, or undefined when the extension is absent (then every usage is allowed). */
  readonly keyUsage: ReadonlySet<KeyUsage> | undefined;
  readonly subjectAlternativeNames: SubjectAlternativeNames;
  /** OIDs of critical extensions fedgate does not process (RFC 5280 4.2: such a certificate is refused). */
  readonly unhandledCriticalExtensions: readonly string[];
  readonly publicKey: KeyObject;
}

/** RFC 5280 4.2.1.3 key usage bits. */
export type KeyUsage =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

const KEY_USAGE_BITS: readonly KeyUsage[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const OID = {
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
} as const;

/** Extensions fedgate reads, or may ignore safely when critical (identifiers, EKU, policies without constraints). */
const HANDLED_EXTENSIONS = new Set<string>([
  OID.keyUsage,
  OID.basicConstraints,
  OID.subjectAltName,
  '2.5.29.14', // subject key identifier
  '2.5.29.35', // authority key identifier
  '2.5.29.37', // extended key usage
  '2.5.29.32', // certificate policies
]);

/** Parses a DER certificate; throws DerError (or node's error) for anything malformed. */
export function parseCertificate(der: Buffer): ParsedCertificate {
  const x509 = new X509Certificate(der);
  const certificate = expectElement(der, 0, DER_TAG.SEQUENCE);
  if (certificate.end !== der.length) throw new DerError('trailing bytes after the certificate');
  const [tbs] = childrenOf(der, certificate, 3);
  if (tbs === undefined || tbs.tag !== DER_TAG.SEQUENCE) throw new DerError('no tbsCertificate');
  const fields = childrenOf(der, tbs, 12);
  let index = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = field(fields, index++, DER_TAG.INTEGER);
  index++; // signature algorithm
  const issuer = field(fields, index++, DER_TAG.SEQUENCE);
  const validity = field(fields, index++, DER_TAG.SEQUENCE);
  const subject = field(fields, index++, DER_TAG.SEQUENCE);
  const [notBefore, notAfter] = childrenOf(der, validity, 2);
  if (notBefore === undefined || notAfter === undefined) throw new DerError('bad validity');
  const extensions = fields.find((element) => element.tag === 0xa3);
  const facts = readExtensions(der, extensions);
  const serialHex = readIntegerHex(der, serial);
  return {
    x509,
    der,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    serialHex,
    serialDecimal: BigInt(`0x${serialHex}`).toString(10),
    subject: readDistinguishedName(der, subject),
    issuer: readDistinguishedName(der, issuer),
    notBefore: readTime(der, notBefore),
    notAfter: readTime(der, notAfter),
    ...facts,
    publicKey: x509.publicKey,
  };
}

function field(fields: readonly DerElement[], index: number, tag: number): DerElement {
  const element = fields[index];
  if (element?.tag !== tag) throw new DerError('unexpected tbsCertificate layout');
  return element;
}

interface ExtensionFacts {
  isCa: boolean;
  pathLength: number | undefined;
  keyUsage: ReadonlySet<KeyUsage> | undefined;
  subjectAlternativeNames: SubjectAlternativeNames;
  unhandledCriticalExtensions: string[];
}

function readExtensions(der: Buffer, wrapper: DerElement | undefined): ExtensionFacts {
  const facts: ExtensionFacts = {
    isCa: false,
    pathLength: undefined,
    keyUsage: undefined,
    subjectAlternativeNames: { dns: [], uri: [], email: [], ip: [], directoryNames: [] },
    unhandledCriticalExtensions: [],
  };
  if (wrapper === undefined) return facts;
  const [list] = childrenOf(der, wrapper, 1);
  if (list === undefined || list.tag !== DER_TAG.SEQUENCE) throw new DerError('bad extensions');
  const seen = new Set<string>();
  for (const extension of childrenOf(der, list, 64)) {
    const parts = childrenOf(der, extension, 3);
    const oid = readOid(der, parts[0] as DerElement);
    if (seen.has(oid)) throw new DerError('an extension appears twice');
    seen.add(oid);
    const critical =
      parts.length === 3 && parts[1]?.tag === DER_TAG.BOOLEAN && contentOf(der, parts[1])[0] !== 0;
    const value = parts[parts.length - 1] as DerElement;
    if (value.tag !== DER_TAG.OCTET_STRING) throw new DerError('extension value is not an OCTET STRING');
    if (critical && !HANDLED_EXTENSIONS.has(oid)) facts.unhandledCriticalExtensions.push(oid);
    const inner = readElement(der, value.contentStart, value.end);
    if (oid === OID.keyUsage) facts.keyUsage = readKeyUsage(der, inner);
    else if (oid === OID.basicConstraints) {
      const items = childrenOf(der, inner, 2);
      for (const item of items) {
        if (item.tag === DER_TAG.BOOLEAN) facts.isCa = contentOf(der, item)[0] !== 0;
        else if (item.tag === DER_TAG.INTEGER)
          facts.pathLength = Number.parseInt(readIntegerHex(der, item), 16);
      }
    } else if (oid === OID.subjectAltName) facts.subjectAlternativeNames = readGeneralNames(der, inner);
  }
  return facts;
}

function readKeyUsage(der: Buffer, element: DerElement): Set<KeyUsage> {
  const { bytes } = readBitString(der, element);
  const usages = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((usage, bit) => {
    const byte = bytes[Math.floor(bit / 8)];
    if (byte !== undefined && byte & (0x80 >> (bit % 8))) usages.add(usage);
  });
  return usages;
}

function readGeneralNames(der: Buffer, element: DerElement): SubjectAlternativeNames {
  const names = {
    dns: [] as string[],
    uri: [] as string[],
    email: [] as string[],
    ip: [] as string[],
    directoryNames: [] as DistinguishedName[],
  };
  for (const name of childrenOf(der, element, 256)) {
    const text = (): string => Buffer.from(contentOf(der, name)).toString('latin1');
    switch (name.tag) {
      case 0x81:
        names.email.push(text());
        break;
      case 0x82:
        names.dns.push(text());
        break;
      case 0x86:
        names.uri.push(text());
        break;
      case 0x87:
        names.ip.push(ipText(contentOf(der, name)));
        break;
      case 0xa4: {
        const [inner] = childrenOf(der, name, 1);
        if (inner !== undefined) names.directoryNames.push(readDistinguishedName(der, inner));
        break;
      }
      default:
        break;
    }
  }
  return names;
}

function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2)
      groups.push(((bytes[i] as number) * 256 + (bytes[i + 1] as number)).toString(16));
    return groups.join(':');
  }
  return Buffer.from(bytes).toString('hex');
}
