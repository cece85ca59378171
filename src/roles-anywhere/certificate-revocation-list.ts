import { createHash, verify as verifySignature, type KeyObject } from 'node:crypto';
import {
  childrenOf,
  DER_TAG,
  DerError,
  encodingOf,
  expectElement,
  pemBlocks,
  readBitString,
  readIntegerHex,
  readOid,
  readTime,
  type DerElement,
} from './der-reader.js';
import { readDistinguishedName, type DistinguishedName } from './distinguished-name.js';

/** A parsed X.509 CRL (RFC 5280 section 5), its signature not yet checked. */
export interface CertificateRevocationList {
  readonly issuer: DistinguishedName;
  /** Epoch ms. */
  readonly thisUpdate: number;
  readonly nextUpdate: number | undefined;
  /** Serial numbers (lowercase hex, no leading zeros) of the revoked certificates. */
  readonly revokedSerials: ReadonlySet<string>;
  /** Hex SHA-256 of the DER: identifies this copy. */
  readonly fingerprint: string;
  readonly tbs: Buffer;
  readonly signature: Buffer;
  /** node:crypto digest name of the signature algorithm. */
  readonly digest: 'sha256' | 'sha384' | 'sha512';
}

/** Signature algorithms a CRL may use: RSA PKCS#1 v1.5 and ECDSA with SHA-2. */
const SIGNATURE_DIGESTS: Readonly<Record<string, CertificateRevocationList['digest']>> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** At most this many entries are read from one CRL. */
const MAX_CRL_ENTRIES = 1_000_000;

/** Parses a CRL in DER or PEM (`-----BEGIN X509 CRL-----`); throws DerError for anything else. */
export function parseCertificateRevocationList(data: Buffer): CertificateRevocationList {
  const der = data.includes('-----BEGIN X509 CRL-----')
    ? (pemBlocks(data.toString('latin1'), 'X509 CRL')[0] ?? Buffer.alloc(0))
    : data;
  const list = expectElement(der, 0, DER_TAG.SEQUENCE);
  if (list.end !== der.length) throw new DerError('trailing bytes after the CRL');
  const [tbs, algorithm, signatureValue] = childrenOf(der, list, 3);
  if (tbs?.tag !== DER_TAG.SEQUENCE || algorithm?.tag !== DER_TAG.SEQUENCE || signatureValue === undefined)
    throw new DerError('not a CertificateList');
  const [algorithmOid] = childrenOf(der, algorithm, 2);
  const digest = SIGNATURE_DIGESTS[readOid(der, algorithmOid as DerElement)];
  if (digest === undefined) throw new DerError('unsupported CRL signature algorithm');
  const fields = childrenOf(der, tbs, 8);
  let index = fields[0]?.tag === DER_TAG.INTEGER ? 1 : 0;
  index++; // inner signature algorithm
  const issuer = fields[index++];
  const thisUpdate = fields[index++];
  if (issuer === undefined || thisUpdate === undefined) throw new DerError('bad tbsCertList');
  let nextUpdate: number | undefined;
  const maybeNext = fields[index];
  if (maybeNext?.tag === DER_TAG.UTC_TIME || maybeNext?.tag === DER_TAG.GENERALIZED_TIME) {
    nextUpdate = readTime(der, maybeNext);
    index++;
  }
  const revokedSerials = new Set<string>();
  const entries = fields[index];
  if (entries?.tag === DER_TAG.SEQUENCE) {
    for (const entry of childrenOf(der, entries, MAX_CRL_ENTRIES)) {
      const [serial] = childrenOf(der, entry, 3);
      if (serial === undefined) throw new DerError('bad CRL entry');
      revokedSerials.add(readIntegerHex(der, serial));
    }
  }
  const { unusedBits, bytes } = readBitString(der, signatureValue);
  if (unusedBits !== 0) throw new DerError('bad CRL signature');
  return {
    issuer: readDistinguishedName(der, issuer),
    thisUpdate: readTime(der, thisUpdate),
    nextUpdate,
    revokedSerials,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    tbs: Buffer.from(encodingOf(der, tbs)),
    signature: Buffer.from(bytes),
    digest,
  };
}

/** True when `issuerKey` made the CRL's signature. */
export function crlSignedBy(crl: CertificateRevocationList, issuerKey: KeyObject): boolean {
  try {
    return verifySignature(crl.digest, crl.tbs, issuerKey, crl.signature);
  } catch {
    return false;
  }
}
