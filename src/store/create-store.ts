import { createMemoryStore } from './memory-store.js';
import type { RedisStoreOptions } from './redis-connection.js';
import { createRedisStore } from './redis-store.js';
import type { Store } from './store.js';

/** Which store to build, as resolved from the `store` section of the configuration. */
export type StoreOptions =
  { readonly kind: 'memory'; readonly keyPrefix?: string } | ({ readonly kind: 'redis' } & RedisStoreOptions);

/** Builds the configured store; the Redis one connects in the background and never blocks startup. */
export function createStore(options: StoreOptions): Store {
  if (options.kind === 'memory')
    return createMemoryStore(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix });
  const { kind: _kind, ...redisOptions } = options;
  return createRedisStore(redisOptions);
}
