export { StsService } from './sts-service.js';
export type { IdentityAssumeOptions, IdentityAssumeResult } from './sts-service.js';
export type {
  AuditRecorder,
  SamlAssertionVerifier,
  StsRequestContext,
  StsServiceOptions,
  StsSessionService,
  StsSettings,
  WebIdentityTokenVerifier,
} from './sts-ports.js';
export type { StsRefusalReason } from './sts-refusal.js';
export {
  assumeRoleSchema,
  assumeRoleWithSamlSchema,
  assumeRoleWithWebIdentitySchema,
  decodeAuthorizationMessageSchema,
  parseStsInput,
  revokeSchema,
} from './sts-inputs.js';
export type {
  AssumeRoleInput,
  AssumeRoleWithSamlInput,
  AssumeRoleWithWebIdentityInput,
  RevokeInput,
} from './sts-inputs.js';
export { awsTimestamp } from './sts-responses.js';
export type {
  AssumedRoleUser,
  AssumeRoleResponse,
  AssumeRoleWithSamlResponse,
  AssumeRoleWithWebIdentityResponse,
  CallerIdentityResponse,
  DecodeAuthorizationMessageResponse,
  RevokeResponse,
  StsCredentials,
} from './sts-responses.js';
export { AuthorizationMessageCodec, explainRefusal } from './authorization-message.js';
export type { AuthorizationExplanation, RefusalFacts } from './authorization-message.js';
