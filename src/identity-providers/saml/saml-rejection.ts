import { FedgateError, isFedgateError } from '../../errors/index.js';

/**
 * Stable reasons a SAML message is refused: the SAML catalogue of `FedgateError.reason` (audited, logged,
 * asserted on by tests), never shown to the client, who only sees a generic detail.
 */
export type SamlRejectionReason =
  | 'malformed-message'
  | 'message-too-large'
  | 'message-too-complex'
  | 'duplicate-id'
  | 'unresolved-reference'
  | 'weak-algorithm'
  | 'verification-too-costly'
  | 'verifier-busy'
  | 'dtd-refused'
  | 'not-a-response'
  | 'idp-error-status'
  | 'missing-assertion'
  | 'multiple-assertions'
  | 'unsigned-response'
  | 'unsigned-assertion'
  | 'unsigned-logout-message'
  | 'bad-signature'
  | 'decryption-failed'
  | 'wrong-destination'
  | 'missing-destination'
  | 'wrong-recipient'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'missing-subject'
  | 'identity-value-whitespace'
  | 'identity-value-control-character'
  | 'identity-value-mixed-content'
  | 'reserved-attribute-name'
  | 'missing-authn-statement'
  | 'assertion-too-old'
  | 'browser-mismatch'
  | 'unconfirmed-login'
  | 'missing-subject-confirmation'
  | 'expired'
  | 'not-yet-valid'
  | 'unsolicited-response'
  | 'unknown-in-response-to'
  | 'in-response-to-mismatch'
  | 'replayed-assertion'
  | 'replayed-logout-request'
  | 'invalid-aws-attribute'
  | 'idp-metadata-unavailable'
  | 'rejected-by-library';

const PUBLIC_DETAIL: Partial<Record<SamlRejectionReason, string>> = {
  'message-too-large': 'The SAML message is too large.',
  'message-too-complex': 'The SAML message is too complex.',
  'verification-too-costly': 'The SAML message is too complex.',
  'verifier-busy': 'Too many sign-ins are being checked right now; try again shortly.',
  'identity-value-whitespace':
    'The identity provider sent a name or attribute with leading or trailing spaces; it was refused.',
  'identity-value-control-character':
    'The identity provider sent a name or attribute with control characters; it was refused.',
  'identity-value-mixed-content':
    'The identity provider sent a name or attribute that is not plain text; it was refused.',
  'reserved-attribute-name':
    'The identity provider sent an attribute whose name is reserved by fedgate (or repeats another ignoring case); it was refused.',
  'missing-authn-statement': 'The SAML assertion does not say how the person signed in (no AuthnStatement).',
  'assertion-too-old': 'The SAML assertion was issued too long ago; sign in again.',
  'browser-mismatch': 'This sign-in was started in another browser; start it again here.',
  'unconfirmed-login': 'The sign-in confirmation expired or came from another site; sign in again.',
  'idp-error-status': 'The identity provider reported that the sign-in did not succeed.',
  expired: 'The SAML assertion has expired; sign in again.',
  'not-yet-valid': 'The SAML assertion is not valid yet; check the clocks.',
  'unsolicited-response': 'This identity provider may not start a sign-in; start it from fedgate.',
  'unknown-in-response-to': 'The sign-in request is unknown or expired; sign in again.',
  'replayed-assertion': 'This SAML assertion was already used; sign in again.',
  'idp-metadata-unavailable': 'The identity provider is not available right now.',
};

declare module '../../errors/refusal-reason.js' {
  interface RefusalCatalogues {
    saml: SamlRejectionReason;
  }
}

/** A refused SAML message: always `InvalidSamlResponse`, with the stable reason it was refused for. */
export class SamlRejection extends FedgateError {
  static readonly code = 'InvalidSamlResponse';
  declare readonly reason: SamlRejectionReason;

  constructor(reason: SamlRejectionReason, cause?: unknown) {
    const status =
      reason === 'idp-metadata-unavailable' || reason === 'verifier-busy'
        ? 503
        : reason === 'message-too-large'
          ? 413
          : undefined;
    super(SamlRejection.code, PUBLIC_DETAIL[reason] ?? 'The SAML message was refused.', {
      reason,
      ...(status === undefined ? {} : { status }),
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** The one way SAML code refuses a message. */
export function samlRejection(reason: SamlRejectionReason, cause?: unknown): SamlRejection {
  return new SamlRejection(reason, cause);
}

/** Library messages we translate, first match wins. node-saml's messages are its only contract. */
const LIBRARY_MESSAGES: readonly (readonly [RegExp, SamlRejectionReason])[] = [
  [/InResponseTo is missing/i, 'unsolicited-response'],
  [/InResponseTo does not match/i, 'in-response-to-mismatch'],
  [/InResponseTo is not valid/i, 'unknown-in-response-to'],
  [/multiple assertions/i, 'multiple-assertions'],
  [/decrypt|EncryptedAssertion content|EncryptedData|No decryption key|oaep|ERR_OSSL/i, 'decryption-failed'],
  [/Invalid document signature/i, 'bad-signature'],
  [/signature|signed|Referenced node|ID cannot refer|transforms/i, 'bad-signature'],
  [/Missing SAML assertion/i, 'missing-assertion'],
  [/audience/i, 'wrong-audience'],
  [/issuer/i, 'wrong-issuer'],
  [/expired|not yet valid/i, 'expired'],
  [/Bad status code|SAML provider returned/i, 'idp-error-status'],
];

/** Translates whatever node-saml (or xml-crypto under it) threw into our rejection. */
export function translateLibraryError(error: unknown): FedgateError {
  if (isFedgateError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'SamlStatusError')
    return samlRejection('idp-error-status', error);
  for (const [pattern, reason] of LIBRARY_MESSAGES) {
    if (pattern.test(message)) return samlRejection(reason, error);
  }
  return samlRejection('rejected-by-library', error);
}
