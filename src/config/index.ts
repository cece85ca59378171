export {
  checkConfigPolicies,
  collectConfigPolicies,
  type ConfigPolicyDocument,
  type ConfigPolicyKind,
  type Finding,
  type FindingSeverity,
} from './check-config-policies.js';
export { ConfigError, formatConfigIssue, type ConfigIssue } from './config-error.js';
export { formatConfigPath } from './config-path.js';
export { formatSourceLocation, type SourceLocation } from './source-location.js';
export { inspectConfig, type ConfigInspection } from './inspect-config.js';
export { keyEncryptionKeyFrom } from './key-encryption-key.js';
export { loadConfig, policyErrors, type LoadConfigOptions } from './load-config.js';
export { formatDuration, parseDuration } from './parse-duration.js';
export {
  ALLOWED_TOKEN_ALGORITHMS,
  type AccessAnalysisConfig,
  gatewayConfigSchema,
  type AuditSinkConfig,
  type ClientConfig,
  type DeepReadonly,
  type GatewayConfig,
  type GatewayConfigInput,
  type IdentityProviderConfig,
  type ListenConfig,
  type OidcProviderConfig,
  type PolicyDocumentJson,
  type ProfileConfig,
  type ResourceConfig,
  type RoleConfig,
  type RouteConfig,
  type SamlProviderConfig,
  type SigningConfig,
  type StoreConfig,
  type TrustAnchorConfig,
} from './schema.js';
export {
  sessionServiceSettingsFor,
  signingKeyRingSettingsFor,
  type SessionServiceSettings,
  type SigningKeyRingSettings,
} from './session-options.js';
export { storeOptionsFor } from './store-options.js';
export { watchConfig, type ConfigWatch, type WatchConfigOptions } from './watch-config.js';
