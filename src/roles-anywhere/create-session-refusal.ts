import { FedgateError, type ErrorCode } from '../errors/index.js';

/**
 * Why a CreateSession request was refused: the stable reason written to the audit event (`details.refusal`).
 * Each maps to one public error code (see REFUSAL_CODES); several reasons may share a code when telling them
 * apart would only help an attacker (an unknown profile and a role outside it are both AccessDenied).
 */
export type CreateSessionRefusalReason =
  // The request signature (AWS4-X509-*): malformed, wrong, stale or replayed.
  | 'MalformedAuthorization'
  | 'UnsupportedSigningAlgorithm'
  | 'RequiredHeaderNotSigned'
  | 'MalformedCertificateHeader'
  | 'CredentialSerialMismatch'
  | 'AlgorithmKeyMismatch'
  | 'SignatureMismatch'
  | 'RequestDateOutOfWindow'
  | 'SignatureReplayed'
  // The certificate and its chain.
  | 'UnknownTrustAnchor'
  | 'TrustAnchorDisabled'
  | 'NoChainToTrustAnchor'
  | 'IssuerNotCa'
  | 'PathLengthExceeded'
  | 'UnhandledCriticalExtension'
  | 'CertificateExpired'
  | 'CertificateNotYetValid'
  | 'EndEntityIsCa'
  | 'DigitalSignatureNotAllowed'
  | 'UnsupportedKey'
  | 'CertificateRevoked'
  | 'RevocationListUnavailable'
  // The profile, the role and its trust policy.
  | 'MalformedRequestBody'
  | 'UnknownProfile'
  | 'ProfileDisabled'
  | 'RoleNotInProfile'
  | 'UnknownRole'
  | 'RoleSessionNameNotAccepted'
  | 'InstancePropertiesRequired'
  | 'UntaggableCertificateAttribute'
  | 'TrustPolicyDenied'
  | 'TagSessionDenied'
  | 'SetSourceIdentityDenied';

/** The public code of each refusal (AWS's SigV4 names for signature problems). */
const REFUSAL_CODES: Readonly<Record<CreateSessionRefusalReason, ErrorCode>> = {
  MalformedAuthorization: 'IncompleteSignature',
  UnsupportedSigningAlgorithm: 'IncompleteSignature',
  RequiredHeaderNotSigned: 'IncompleteSignature',
  MalformedCertificateHeader: 'IncompleteSignature',
  CredentialSerialMismatch: 'SignatureDoesNotMatch',
  AlgorithmKeyMismatch: 'SignatureDoesNotMatch',
  SignatureMismatch: 'SignatureDoesNotMatch',
  RequestDateOutOfWindow: 'RequestExpired',
  SignatureReplayed: 'RequestReplayed',
  UnknownTrustAnchor: 'UntrustedCertificate',
  TrustAnchorDisabled: 'UntrustedCertificate',
  NoChainToTrustAnchor: 'UntrustedCertificate',
  IssuerNotCa: 'UntrustedCertificate',
  PathLengthExceeded: 'UntrustedCertificate',
  UnhandledCriticalExtension: 'UntrustedCertificate',
  CertificateExpired: 'CertificateExpired',
  CertificateNotYetValid: 'CertificateNotYetValid',
  EndEntityIsCa: 'CertificateNotForSigning',
  DigitalSignatureNotAllowed: 'CertificateNotForSigning',
  UnsupportedKey: 'UnsupportedCertificateKey',
  CertificateRevoked: 'CertificateRevoked',
  RevocationListUnavailable: 'ServiceUnavailable',
  MalformedRequestBody: 'ValidationError',
  UnknownProfile: 'AccessDenied',
  ProfileDisabled: 'AccessDenied',
  RoleNotInProfile: 'AccessDenied',
  UnknownRole: 'AccessDenied',
  RoleSessionNameNotAccepted: 'ValidationError',
  InstancePropertiesRequired: 'ValidationError',
  UntaggableCertificateAttribute: 'ValidationError',
  TrustPolicyDenied: 'AccessDenied',
  TagSessionDenied: 'AccessDenied',
  SetSourceIdentityDenied: 'AccessDenied',
};

/** Public messages: they say what rule failed, never echo a request value. */
const MESSAGES: Readonly<Record<CreateSessionRefusalReason, string>> = {
  MalformedAuthorization:
    'The Authorization header must be AWS4-X509-RSA-SHA256 or AWS4-X509-ECDSA-SHA256 Credential=<serial>/<date>/<region>/rolesanywhere/aws4_request, SignedHeaders=..., Signature=...',
  UnsupportedSigningAlgorithm: 'The signing algorithm must be AWS4-X509-RSA-SHA256 or AWS4-X509-ECDSA-SHA256',
  RequiredHeaderNotSigned:
    'The signature must cover host, x-amz-date, x-amz-x509 and x-amz-x509-chain when sent',
  MalformedCertificateHeader: 'X-Amz-X509 (and X-Amz-X509-Chain) must carry base64 DER certificates',
  CredentialSerialMismatch: 'The Credential does not name the serial number of the X-Amz-X509 certificate',
  AlgorithmKeyMismatch: "The signing algorithm does not match the certificate's key type",
  SignatureMismatch: 'The request signature does not match',
  RequestDateOutOfWindow: 'X-Amz-Date must be within 5 minutes of the current time',
  SignatureReplayed: 'This signed request has already been used',
  UnknownTrustAnchor: 'The certificate is not trusted by an enabled trust anchor',
  TrustAnchorDisabled: 'The certificate is not trusted by an enabled trust anchor',
  NoChainToTrustAnchor: 'The certificate does not chain to the trust anchor',
  IssuerNotCa: 'The certificate does not chain to the trust anchor',
  PathLengthExceeded: 'The certificate does not chain to the trust anchor',
  UnhandledCriticalExtension: 'A certificate in the chain has a critical extension fedgate does not support',
  CertificateExpired: 'A certificate in the chain has expired',
  CertificateNotYetValid: 'A certificate in the chain is not valid yet',
  EndEntityIsCa: 'A CA certificate cannot be used as the end-entity certificate',
  DigitalSignatureNotAllowed: 'The end-entity certificate does not allow digitalSignature',
  UnsupportedKey: 'The certificate key must be RSA of at least 2048 bits or EC P-256/P-384',
  CertificateRevoked: 'A certificate in the chain has been revoked',
  RevocationListUnavailable: "The trust anchor's revocation list has not been loaded yet",
  MalformedRequestBody:
    'profileArn, roleArn and trustAnchorArn go in the query string or the JSON body {durationSeconds?, roleSessionName?, instanceProperties?}',
  UnknownProfile: 'Not authorized to perform rolesanywhere:CreateSession',
  ProfileDisabled: 'Not authorized to perform rolesanywhere:CreateSession',
  RoleNotInProfile: 'Not authorized to perform rolesanywhere:CreateSession',
  UnknownRole: 'Not authorized to perform rolesanywhere:CreateSession',
  RoleSessionNameNotAccepted: 'The profile does not accept a roleSessionName',
  InstancePropertiesRequired: 'The profile requires instanceProperties',
  UntaggableCertificateAttribute:
    "A mapped certificate attribute cannot be a session tag; map fewer attributes in the profile's attributeMapping",
  TrustPolicyDenied: 'Not authorized to perform rolesanywhere:CreateSession',
  TagSessionDenied: 'Not authorized to perform rolesanywhere:CreateSession',
  SetSourceIdentityDenied: 'Not authorized to perform rolesanywhere:CreateSession',
};

declare module '../errors/refusal-reason.js' {
  interface RefusalCatalogues {
    rolesAnywhere: CreateSessionRefusalReason;
  }
}

/** A refused CreateSession: a FedgateError with the public code, and the stable reason for the audit event. */
export class CreateSessionRefused extends FedgateError {
  declare readonly reason: CreateSessionRefusalReason;

  constructor(reason: CreateSessionRefusalReason, internal?: string) {
    super(REFUSAL_CODES[reason], MESSAGES[reason], {
      reason,
      ...(internal === undefined ? {} : { internal: `${reason}: ${internal}` }),
    });
  }
}

/** The public code a refusal reason is answered with. */
export function refusalCode(reason: CreateSessionRefusalReason): ErrorCode {
  return REFUSAL_CODES[reason];
}
