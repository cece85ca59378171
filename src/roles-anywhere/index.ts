export { RolesAnywhereService } from './create-session.js';
export type {
  CertificateReference,
  CreateSessionContext,
  CreateSessionResponse,
  RolesAnywhereServiceOptions,
  RolesAnywhereState,
  WorkloadProfile,
} from './create-session.js';
export { CreateSessionRefused } from './create-session-refusal.js';
export type { CreateSessionRefusalReason } from './create-session-refusal.js';
export { TrustAnchorRegistry } from './trust-anchor-registry.js';
export type {
  NewlyRevokedCertificate,
  TrustAnchor,
  TrustAnchorRegistryOptions,
  TrustAnchorSettings,
} from './trust-anchor-registry.js';
export {
  anchorProvider,
  certificateSubject,
  profileArn,
  ROLES_ANYWHERE_PRINCIPALS,
  subjectArn,
  trustAnchorArn,
} from './roles-anywhere-arns.js';
export type { RolesAnywhereScope } from './roles-anywhere-arns.js';
export { CreateSessionFailed, requestSession, signCreateSession } from './create-session-client.js';
export type { CreateSessionSigning, SignedCreateSession } from './create-session-client.js';
export type { SignedHttpRequest } from './x509-request-signature.js';
export { parseCertificate } from './parsed-certificate.js';
export type { ParsedCertificate } from './parsed-certificate.js';
export { pemBlocks } from './der-reader.js';
