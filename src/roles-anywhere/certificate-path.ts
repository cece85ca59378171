import type { CertificateRevocationList } from './certificate-revocation-list.js';
import type { CreateSessionRefusalReason } from './create-session-refusal.js';
import type { ParsedCertificate } from './parsed-certificate.js';

/** At most this many certificates between the end entity and the anchor (a bound on the search, too). */
export const MAX_INTERMEDIATES = 5;

/** What a trust anchor contributes to path validation. */
export interface AnchorTrust {
  /** The anchor's CA certificates (root or intermediate): a path ends at any of them. */
  readonly certificates: readonly ParsedCertificate[];
  /** CRLs whose signature verified against one of `certificates`. */
  readonly crls: readonly CertificateRevocationList[];
}

/** The outcome of path validation: the path (end entity first, anchor certificate last), or why not. */
export type PathResult =
  | { readonly ok: true; readonly path: readonly ParsedCertificate[] }
  | {
      readonly ok: false;
      readonly reason: CreateSessionRefusalReason;
      /** Which certificate failed (0 = end entity), for the audit event. */
      readonly position?: number;
    };

/**
 * RFC 5280 section 6 path validation, as much as Roles Anywhere needs: builds a path from the end-entity
 * certificate through the request's intermediates to one of the anchor's certificates (signature and name
 * chaining), then checks, in this order: critical extensions, intermediates are CAs allowed to sign
 * certificates within their path length, every certificate's validity period, the end entity is not a CA and
 * may sign (digitalSignature), and no certificate of the path is on a CRL of its issuer.
 */
export function validateCertificatePath(
  endEntity: ParsedCertificate,
  intermediates: readonly ParsedCertificate[],
  anchor: AnchorTrust,
  now: number,
): PathResult {
  const distinct = [...new Map(intermediates.map((c) => [c.fingerprint, c])).values()];
  const path = buildPath(
    endEntity,
    distinct.slice(0, MAX_INTERMEDIATES),
    anchor.certificates,
    signatureChecks(),
  );
  if (path === undefined) return { ok: false, reason: 'NoChainToTrustAnchor' };
  for (const [position, certificate] of path.entries()) {
    if (certificate.unhandledCriticalExtensions.length > 0)
      return { ok: false, reason: 'UnhandledCriticalExtension', position };
  }
  for (let position = 1; position < path.length - 1; position += 1) {
    const issuer = path[position] as ParsedCertificate;
    if (!issuer.isCa || (issuer.keyUsage !== undefined && !issuer.keyUsage.has('keyCertSign')))
      return { ok: false, reason: 'IssuerNotCa', position };
  }
  for (let position = 1; position < path.length; position += 1) {
    const limit = (path[position] as ParsedCertificate).pathLength;
    if (limit !== undefined && position - 1 > limit)
      return { ok: false, reason: 'PathLengthExceeded', position };
  }
  for (const [position, certificate] of path.entries()) {
    if (now < certificate.notBefore) return { ok: false, reason: 'CertificateNotYetValid', position };
    if (now > certificate.notAfter) return { ok: false, reason: 'CertificateExpired', position };
  }
  if (endEntity.isCa) return { ok: false, reason: 'EndEntityIsCa', position: 0 };
  if (endEntity.keyUsage !== undefined && !endEntity.keyUsage.has('digitalSignature'))
    return { ok: false, reason: 'DigitalSignatureNotAllowed', position: 0 };
  for (let position = 0; position < path.length - 1; position += 1) {
    const certificate = path[position] as ParsedCertificate;
    const revoked = anchor.crls.some(
      (crl) =>
        crl.issuer.derHex === certificate.issuer.derHex && crl.revokedSerials.has(certificate.serialHex),
    );
    if (revoked) return { ok: false, reason: 'CertificateRevoked', position };
  }
  return { ok: true, path };
}

type IssuedBy = (child: ParsedCertificate, parent: ParsedCertificate) => boolean;

/**
 * Depth-first search for a signature chain ending at an anchor certificate. The request's intermediates are the
 * sender's choice: ones that issue each other (one key, one name) make the search try every ordering, so each
 * (child, parent) signature is checked once per search (`issuedBy` remembers), not once per ordering.
 */
function buildPath(
  certificate: ParsedCertificate,
  intermediates: readonly ParsedCertificate[],
  anchors: readonly ParsedCertificate[],
  issuedBy: IssuedBy,
  used: ReadonlySet<string> = new Set(),
): ParsedCertificate[] | undefined {
  for (const anchor of anchors) {
    if (issuedBy(certificate, anchor)) return [certificate, anchor];
  }
  if (used.size >= MAX_INTERMEDIATES) return undefined;
  for (const candidate of intermediates) {
    if (used.has(candidate.fingerprint) || !issuedBy(certificate, candidate)) continue;
    const rest = buildPath(
      candidate,
      intermediates,
      anchors,
      issuedBy,
      new Set([...used, candidate.fingerprint]),
    );
    if (rest !== undefined) return [certificate, ...rest];
  }
  return undefined;
}

/** "`child` was signed by `parent`" (names chain, signature verifies), each pair's signature checked once. */
function signatureChecks(): IssuedBy {
  const checked = new Map<string, boolean>();
  return (child, parent) => {
    if (child.issuer.derHex !== parent.subject.derHex) return false;
    const pair = `${child.fingerprint}/${parent.fingerprint}`;
    let verified = checked.get(pair);
    if (verified === undefined) {
      try {
        verified = child.x509.verify(parent.publicKey);
      } catch {
        verified = false;
      }
      checked.set(pair, verified);
    }
    return verified;
  };
}
