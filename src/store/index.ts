export type { Store, StoreKind, StoreWrite } from './store.js';
export { createMemoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { createRedisStore } from './redis-store.js';
export type { RedisNodeAddress, RedisStoreOptions } from './redis-connection.js';
export { describeRedisAddress } from './redis-connection.js';
export { createStore } from './create-store.js';
export type { StoreOptions } from './create-store.js';
