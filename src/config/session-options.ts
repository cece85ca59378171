import {
  KeyEncryptionKey,
  MAX_SESSION_DURATION_SECONDS,
  type SessionServiceOptions,
  type SigningKeyRingOptions,
} from '../sessions/index.js';
import type { GatewayConfig } from './schema.js';

/** What a configuration says about the signing key ring; the caller adds the store and its callbacks. */
export type SigningKeyRingSettings = Pick<
  SigningKeyRingOptions,
  | 'algorithm'
  | 'keyEncryptionKey'
  | 'rotationIntervalSeconds'
  | 'maxTokenLifetimeSeconds'
  | 'refreshIntervalSeconds'
>;

/** What a configuration says about the session service; the caller adds the store, the keys and the clock. */
export type SessionServiceSettings = Pick<
  SessionServiceOptions,
  'issuer' | 'partition' | 'account' | 'secretKey'
>;

/**
 * The signing key ring of a configuration (shared by the gateways and the operator commands). A retired key
 * stays published for the longest role session (SPEC 6.2), so every token it signed still verifies.
 */
export function signingKeyRingSettingsFor(
  config: GatewayConfig,
  keyEncryptionKey: string | undefined,
): SigningKeyRingSettings {
  return {
    algorithm: config.signing.algorithm,
    ...(keyEncryptionKey === undefined ? {} : { keyEncryptionKey }),
    rotationIntervalSeconds: config.signing.rotationInterval,
    maxTokenLifetimeSeconds: MAX_SESSION_DURATION_SECONDS,
    refreshIntervalSeconds: config.signing.refreshInterval,
  };
}

/**
 * The session service of a configuration. With a key-encryption key, each session's secret access key is
 * stored encrypted under it (so every instance sharing the key verifies SigV4 signatures); without one the
 * service picks a random key of its own.
 */
export function sessionServiceSettingsFor(
  config: GatewayConfig,
  keyEncryptionKey: string | undefined,
): SessionServiceSettings {
  return {
    issuer: config.publicUrl,
    partition: config.partition,
    account: config.account,
    ...(keyEncryptionKey === undefined
      ? {}
      : { secretKey: KeyEncryptionKey.fromSecret(keyEncryptionKey, 'session-secrets') }),
  };
}
