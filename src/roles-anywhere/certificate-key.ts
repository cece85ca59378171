import type { ParsedCertificate } from './parsed-certificate.js';

/** The key families a workload certificate may have, and the AWS4-X509 algorithm that signs with each. */
export type WorkloadKeyKind = 'rsa' | 'ec';

/** The Roles Anywhere signing algorithm of each key kind. */
export const SIGNING_ALGORITHM_OF: Readonly<Record<WorkloadKeyKind, string>> = {
  rsa: 'AWS4-X509-RSA-SHA256',
  ec: 'AWS4-X509-ECDSA-SHA256',
};

const MIN_RSA_BITS = 2048;
const EC_CURVES = new Set(['prime256v1', 'secp384r1']);

/** The key kind of an acceptable key (RSA of at least 2048 bits, EC P-256 or P-384); undefined otherwise. */
export function workloadKeyKind(certificate: ParsedCertificate): WorkloadKeyKind | undefined {
  const key = certificate.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa')
    return (details.modulusLength ?? 0) >= MIN_RSA_BITS ? 'rsa' : undefined;
  if (key.asymmetricKeyType === 'ec')
    return details.namedCurve !== undefined && EC_CURVES.has(details.namedCurve) ? 'ec' : undefined;
  return undefined;
}
