import { afterAll, beforeAll, describe } from 'vitest';
import { createRedisStore } from '../../src/store/index.js';
import { describeStoreContract, eventually } from '../contract/store-contract.js';
import {
  startRedisCluster,
  startRedisSentinel,
  type RedisClusterHandle,
  type RedisSentinelHandle,
} from '../support/redis-topologies.js';

/*
 * Issue 19: the one store contract, run against a real Redis Cluster (3 masters, 3 replicas) and a real
 * Sentinel setup (master, replica, 3 sentinels), as it runs against a single Redis and the embedded store.
 */

describe('on a Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  describeStoreContract('redis cluster', () => ({
    sharedBackend: true,
    open: async (keyPrefix) => {
      const store = createRedisStore({ cluster: cluster.nodes, keyPrefix });
      // Connected means the command client and the subscriber are both up: the contract starts from there.
      await eventually(() => {
        if (!store.isConnected()) throw new Error('store not connected yet');
      }, 20_000);
      await store.ping();
      return store;
    },
  }));
});

describe('on Redis Sentinel', () => {
  let sentinel: RedisSentinelHandle;
  beforeAll(async () => {
    sentinel = await startRedisSentinel();
  });
  afterAll(async () => {
    await sentinel?.stop();
  });
  describeStoreContract('redis sentinel', () => ({
    sharedBackend: true,
    open: async (keyPrefix) => {
      const store = createRedisStore({ sentinels: sentinel.sentinels, name: sentinel.name, keyPrefix });
      // Connected means the command client and the subscriber are both up: the contract starts from there.
      await eventually(() => {
        if (!store.isConnected()) throw new Error('store not connected yet');
      }, 20_000);
      await store.ping();
      return store;
    },
  }));
});
