import type { StoreOptions } from '../store/index.js';
import type { StoreConfig } from './schema.js';

/** The store options a configuration's `store` section resolves to (durations from seconds to milliseconds). */
export function storeOptionsFor(store: StoreConfig): StoreOptions {
  if (store.kind === 'memory') return { kind: 'memory', keyPrefix: store.keyPrefix };
  return {
    kind: 'redis',
    keyPrefix: store.keyPrefix,
    ...(store.url === undefined ? {} : { url: store.url }),
    ...(store.sentinels === undefined ? {} : { sentinels: store.sentinels.map((node) => ({ ...node })) }),
    ...(store.sentinelName === undefined ? {} : { name: store.sentinelName }),
    ...(store.cluster === undefined ? {} : { cluster: store.cluster.map((node) => ({ ...node })) }),
    ...(store.commandTimeout === undefined ? {} : { commandTimeoutMs: store.commandTimeout * 1000 }),
    heartbeatIntervalMs: store.heartbeatInterval * 1000,
    livenessTimeoutMs: store.livenessTimeout * 1000,
    durableReplicas: store.durableReplicas,
    durableTimeoutMs: store.durableTimeout * 1000,
  };
}
