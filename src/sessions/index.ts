export {
  createAccessKeyId,
  createSecretAccessKey,
  openSecretAccessKey,
  sealSecretAccessKey,
} from './access-key.js';
export { KeyEncryptionKey, MIN_KEY_ENCRYPTION_KEY_LENGTH } from './key-encryption.js';
export type { EncryptedBlob, KeyEncryptionPurpose } from './key-encryption.js';
export { parseRevocationEvent, REVOCATION_CHANNEL, revocationTouches } from './revocation-event.js';
export type { RevocationEvent } from './revocation-event.js';
export type { IssuedCredential, RoleSession, RoleSessionInput, SessionAncestor } from './role-session.js';
export { accountOfArn, assumedRoleArnFor, roleArnFor } from './session-arns.js';
export { unstoredSession, type UnstoredSessionInput } from './unstored-session.js';
export { assumedRoleIdFor, isoSeconds, roleIdFor, sessionContextKeys } from './session-context-keys.js';
export {
  DEFAULT_SESSION_AUDIENCE,
  MAX_CHAINED_SESSION_DURATION_SECONDS,
  MAX_SESSION_ANCESTORS,
  MAX_SESSION_DURATION_SECONDS,
  SessionService,
} from './session-service.js';
export type { RevocationProgress, SessionServiceOptions } from './session-service.js';
export { claimsFor, MAX_SESSION_TOKEN_BYTES, SESSION_TOKEN_TYPE } from './session-token.js';
export type { SessionTokenClaims } from './session-token.js';
export { isSigningAlgorithm, SIGNING_ALGORITHMS } from './signing-algorithm.js';
export type { SigningAlgorithm } from './signing-algorithm.js';
export { SigningKeyRing } from './signing-key-ring.js';
export type { CurrentSigningKey, KeyLike, SigningKeyRingOptions } from './signing-key-ring.js';
export { SignedRequestVerifier } from './signed-request-credential.js';
export type {
  SignedCredentialRefusalReason,
  SignedCredentialResult,
  SignedRequestVerifierOptions,
  VerifiedToken,
} from './signed-request-credential.js';
export { MAX_CREDENTIAL_LENGTH, parseCookies, readCredential, SESSION_COOKIE } from './request-credential.js';
export type {
  CredentialHeaders,
  CredentialReading,
  PresentedCredential,
  SessionTokenCredential,
  SignedRequestCredential,
} from './request-credential.js';
