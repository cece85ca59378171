import { verify as verifySignature } from 'node:crypto';
import {
  canonicalRequest,
  checkRequestTime,
  parseAmzDate,
  parseAuthorizationHeader,
  sha256Hex,
  stringToSign,
  type SignableRequest,
  type SignatureParameters,
} from '../sigv4/index.js';
import { MAX_INTERMEDIATES } from './certificate-path.js';
import { SIGNING_ALGORITHM_OF, workloadKeyKind, type WorkloadKeyKind } from './certificate-key.js';
import { CreateSessionRefused } from './create-session-refusal.js';
import { parseCertificate, type ParsedCertificate } from './parsed-certificate.js';

/** A signed CreateSession request as it arrived: the SigV4 view plus the raw body. */
export interface SignedHttpRequest extends SignableRequest {
  readonly body: Buffer;
}

/** A request whose AWS4-X509 signature verified with the key of the certificate it carries. */
export interface VerifiedX509Request {
  readonly certificate: ParsedCertificate;
  /** Certificates of `X-Amz-X509-Chain`, in the order sent. */
  readonly intermediates: readonly ParsedCertificate[];
  readonly keyKind: WorkloadKeyKind;
  readonly parameters: SignatureParameters;
  /** Epoch ms of `X-Amz-Date`. */
  readonly signedAt: number;
  /**
   * Hex SHA-256 of the string to sign: what the signature vouches for, whatever its encoding. The replay cache
   * keys on this, not on the signature, because an ECDSA signature (r, s) has a twin (r, n − s) that verifies too:
   * keyed on the signature, a captured request could be sent again with the twin.
   */
  readonly signedDigest: string;
}

/** AWS's IAM Roles Anywhere window: `X-Amz-Date` within 5 minutes of the server's time. */
export const REQUEST_TIME_WINDOW_SECONDS = 300;
/** The Roles Anywhere signing service name in the credential scope. */
export const SIGNING_SERVICE = 'rolesanywhere';

const ALGORITHMS = new Set(Object.values(SIGNING_ALGORITHM_OF));
const MAX_CERTIFICATE_BYTES = 16 * 1024;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Verifies the IAM Roles Anywhere signature of a request
 * (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/authentication-sign-process.html): the SigV4
 * canonical request and string to sign (src/sigv4), signed with the private key of the `X-Amz-X509`
 * certificate, RSA PKCS#1 v1.5 or ECDSA (DER), SHA-256. The signature must cover host, `x-amz-date`,
 * `x-amz-x509` and `x-amz-x509-chain` when present, and the body (its hash is in the canonical request). The
 * `Credential` names the certificate's serial in decimal. Throws CreateSessionRefused with the failing rule.
 */
export function verifyX509Request(request: SignedHttpRequest, now: number): VerifiedX509Request {
  const parsed = parseAuthorizationHeader(request);
  if (parsed.ok !== true) throw new CreateSessionRefused('MalformedAuthorization');
  const parameters = parsed.value;
  if (!ALGORITHMS.has(parameters.algorithm)) throw new CreateSessionRefused('UnsupportedSigningAlgorithm');
  if (parameters.scope.service !== SIGNING_SERVICE)
    throw new CreateSessionRefused('MalformedAuthorization', 'the credential scope is not rolesanywhere');
  const required = ['host', 'x-amz-date', 'x-amz-x509'];
  if (request.header('x-amz-x509-chain') !== undefined) required.push('x-amz-x509-chain');
  if (!required.every((name) => parameters.signedHeaders.includes(name)))
    throw new CreateSessionRefused('RequiredHeaderNotSigned');
  const timeProblem = checkRequestTime(parameters, Math.floor(now / 1000), REQUEST_TIME_WINDOW_SECONDS);
  if (timeProblem !== undefined) {
    throw new CreateSessionRefused(
      timeProblem.reason === 'RequestExpired'
        ? 'RequestDateOutOfWindow'
        : timeProblem.reason === 'SignatureDoesNotMatch'
          ? 'SignatureMismatch'
          : 'MalformedAuthorization',
    );
  }
  const certificate = certificateFrom(singleHeader(request, 'x-amz-x509'));
  const chainHeader = request.header('x-amz-x509-chain');
  if (chainHeader !== undefined && chainHeader.length !== 1)
    throw new CreateSessionRefused('MalformedCertificateHeader');
  const chainEntries = chainHeader?.[0]?.split(',') ?? [];
  if (chainEntries.length > MAX_INTERMEDIATES) throw new CreateSessionRefused('MalformedCertificateHeader');
  const intermediates = chainEntries.map((entry) => certificateFrom(entry.trim()));
  if (parameters.scope.keyId !== certificate.serialDecimal)
    throw new CreateSessionRefused('CredentialSerialMismatch');
  const keyKind = workloadKeyKind(certificate);
  if (keyKind === undefined) throw new CreateSessionRefused('UnsupportedKey');
  if (SIGNING_ALGORITHM_OF[keyKind] !== parameters.algorithm)
    throw new CreateSessionRefused('AlgorithmKeyMismatch');
  const canonical = canonicalRequest(request, {
    signedHeaders: parameters.signedHeaders,
    payloadHash: sha256Hex(request.body),
  });
  if (!canonical.ok) throw new CreateSessionRefused('MalformedAuthorization', canonical.problem);
  const toSign = stringToSign(
    parameters.algorithm,
    parameters.requestDateTime,
    parameters.scope,
    canonical.value,
  );
  let valid = false;
  try {
    valid = verifySignature(
      'sha256',
      Buffer.from(toSign, 'utf8'),
      certificate.publicKey,
      Buffer.from(parameters.signature, 'hex'),
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new CreateSessionRefused('SignatureMismatch');
  return {
    certificate,
    intermediates,
    keyKind,
    parameters,
    signedAt: (parseAmzDate(parameters.requestDateTime) ?? 0) * 1000,
    signedDigest: sha256Hex(toSign),
  };
}

function singleHeader(request: SignableRequest, name: string): string {
  const values = request.header(name);
  if (values?.length !== 1) throw new CreateSessionRefused('MalformedCertificateHeader');
  return (values[0] as string).trim();
}

function certificateFrom(base64: string): ParsedCertificate {
  if (base64.length > (MAX_CERTIFICATE_BYTES * 4) / 3 + 4 || !BASE64.test(base64))
    throw new CreateSessionRefused('MalformedCertificateHeader');
  try {
    return parseCertificate(Buffer.from(base64, 'base64'));
  } catch {
    throw new CreateSessionRefused('MalformedCertificateHeader');
  }
}
