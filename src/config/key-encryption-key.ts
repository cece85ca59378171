import { FedgateError } from '../errors/index.js';
import { MIN_KEY_ENCRYPTION_KEY_LENGTH } from '../sessions/index.js';
import type { StoreConfig } from './schema.js';

/** The environment variable holding the key-encryption key (SPEC 6.5); never part of the configuration file. */
const KEY_ENCRYPTION_KEY_VARIABLE = 'FEDGATE_KEY_ENCRYPTION_KEY';

/**
 * FEDGATE_KEY_ENCRYPTION_KEY, or undefined when it is not set. A Redis store is shared by every instance and
 * keeps the signing keys encrypted with it, so there it must be set and at least 32 characters long
 * (InvalidConfiguration otherwise). Kept out of the frozen configuration so that the secret is never printed
 * with it.
 */
export function keyEncryptionKeyFrom(
  env: NodeJS.ProcessEnv,
  store: Pick<StoreConfig, 'kind'>,
): string | undefined {
  const value = env[KEY_ENCRYPTION_KEY_VARIABLE];
  if (store.kind === 'redis' && (value === undefined || value.length < MIN_KEY_ENCRYPTION_KEY_LENGTH))
    throw new FedgateError(
      'InvalidConfiguration',
      `${KEY_ENCRYPTION_KEY_VARIABLE} must be set (at least ${MIN_KEY_ENCRYPTION_KEY_LENGTH} characters) with a Redis store: signing keys are kept there encrypted with it`,
    );
  return value;
}
