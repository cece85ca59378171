import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isFedgateError } from '../../src/errors/index.js';
import { createRedisStore, createStore, type Store } from '../../src/store/index.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { describeStoreContract, eventually, inbox } from './store-contract.js';

let server: RedisServerHandle;

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await server.stop();
});

describeStoreContract('redis', () => ({
  sharedBackend: true,
  open: async (keyPrefix) => {
    const store = createRedisStore({ url: server.url, keyPrefix });
    await store.ping();
    return store;
  },
}));

/** The rejection of a promise, or undefined when it fulfilled. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

function isStoreUnavailable(error: unknown): boolean {
  return isFedgateError(error) && error.code === 'StoreUnavailable';
}

describe('redis store specifics', () => {
  const stores: Store[] = [];
  const raw: Redis[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await Promise.all(raw.splice(0).map((client) => client.quit()));
  });

  it('writes keys and channels under the prefix on the server itself', async () => {
    const store = createStore({ kind: 'redis', url: server.url, keyPrefix: 'tenant-x:' });
    stores.push(store);
    const client = new Redis(server.url);
    raw.push(client);
    await store.set('k', 'v');
    await store.addToSet('s', 'm');
    expect(await client.get('tenant-x:k')).toBe('v');
    expect(await client.get('k')).toBeNull();
    expect(await client.zrange('tenant-x:s', 0, -1)).toEqual(['m']);

    const received = inbox();
    await store.subscribe('c', received.listener);
    await client.publish('c', 'unprefixed');
    await client.publish('tenant-x:c', 'prefixed');
    await eventually(() => expect(received.messages).toEqual(['prefixed']));
  });

  it('an index written as a plain SET by an older fedgate is read, and converted on the next add', async () => {
    const store = createStore({ kind: 'redis', url: server.url, keyPrefix: 'legacy:' });
    stores.push(store);
    const client = new Redis(server.url);
    raw.push(client);
    await client.sadd('legacy:index', 'old-a', 'old-b');
    await client.pexpire('legacy:index', 60_000);
    expect((await store.setMembers('index')).sort()).toEqual(['old-a', 'old-b']);
    await store.addToSet('index', 'new', 120_000);
    expect(await client.type('legacy:index')).toBe('zset');
    expect((await store.setMembers('index')).sort()).toEqual(['new', 'old-a', 'old-b']);
    await store.removeFromSet('index', 'old-a');
    expect((await store.setMembers('index')).sort()).toEqual(['new', 'old-b']);
  });

  it('operations issued right after creation wait for the first connection instead of failing', async () => {
    const store = createRedisStore({ url: server.url });
    stores.push(store);
    await expect(store.ping()).resolves.toBeUndefined();
    expect(store.isConnected()).toBe(true);
  });

  it('an unreachable Redis at startup rejects with StoreUnavailable instead of hanging', async () => {
    const stopped = await startRedisServer();
    await stopped.stop();
    const store = createRedisStore({ url: stopped.url });
    stores.push(store);
    const error = await rejectionOf(store.get('k'));
    expect(isStoreUnavailable(error)).toBe(true);
    expect(store.isConnected()).toBe(false);
  });

  it('error messages never echo the password of the connection URL', async () => {
    const stopped = await startRedisServer();
    await stopped.stop();
    const store = createRedisStore({ url: `redis://admin:s3cr3t-pw@127.0.0.1:${stopped.port}` });
    stores.push(store);
    const error = await rejectionOf(store.set('k', 'token-value'));
    expect(isStoreUnavailable(error)).toBe(true);
    const text = JSON.stringify({
      error,
      message: (error as Error).message,
      internal: (error as { internal?: string }).internal,
    });
    expect(text).not.toContain('s3cr3t-pw');
    expect(text).not.toContain('token-value');
  });

  it('options without exactly one usable topology are a programmer error', () => {
    expect(() => createRedisStore({})).toThrow(TypeError);
    expect(() => createRedisStore({ url: server.url, cluster: [{ host: '127.0.0.1', port: 1 }] })).toThrow(
      TypeError,
    );
    expect(() => createRedisStore({ sentinels: [{ host: '127.0.0.1', port: 1 }] })).toThrow(TypeError);
  });
});

describe('redis store when Redis dies and comes back', () => {
  let faulty: RedisServerHandle;
  const stores: Store[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  beforeAll(async () => {
    faulty = await startRedisServer();
    process.on('unhandledRejection', onUnhandled);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await faulty.stop();
  });

  it('fails closed while down, reports the transitions, and recovers with its subscriptions', async () => {
    const subscriberStore = createRedisStore({ url: faulty.url, keyPrefix: 'fault:' });
    const publisherStore = createRedisStore({ url: faulty.url, keyPrefix: 'fault:' });
    stores.push(subscriberStore, publisherStore);
    const changes: string[] = [];
    await subscriberStore.ping();
    await publisherStore.ping();
    subscriberStore.onConnectionChange((state) => changes.push(state));
    const received = inbox();
    await subscriberStore.subscribe('revocations', received.listener);
    await publisherStore.publish('revocations', 'before');
    await eventually(() => expect(received.messages).toEqual(['before']));

    await faulty.kill();

    await eventually(() => expect(changes).toEqual(['down']));
    expect(subscriberStore.isConnected()).toBe(false);
    const attempts = [
      subscriberStore.get('k'),
      subscriberStore.setIfAbsent('jti', 'v', 60_000),
      subscriberStore.take('state'),
      subscriberStore.increment('n'),
      subscriberStore.addToSet('s', 'm'),
      subscriberStore.publish('revocations', 'lost'),
      subscriberStore.subscribe('other', () => {}),
      subscriberStore.ping(),
    ];
    for (const attempt of attempts) expect(isStoreUnavailable(await rejectionOf(attempt))).toBe(true);

    await faulty.restart();

    await eventually(() => expect(changes).toEqual(['down', 'up']));
    expect(subscriberStore.isConnected()).toBe(true);
    await eventually(async () => expect(await publisherStore.setIfAbsent('jti', 'v', 60_000)).toBe(true));
    expect(await subscriberStore.get('jti')).toBe('v');
    await publisherStore.publish('revocations', 'after');
    await eventually(() => expect(received.messages).toEqual(['before', 'after']));
    expect(unhandled).toEqual([]);
  });

  it('an operation in flight when Redis dies rejects with StoreUnavailable rather than hanging', async () => {
    const store = createRedisStore({ url: faulty.url });
    stores.push(store);
    await eventually(async () => expect(await store.ping()).toBeUndefined());
    const client = new Redis(faulty.url);
    // A paused server: the command is sent but gets no answer until the kill.
    await client.call('CLIENT', 'PAUSE', '10000', 'ALL');
    const inFlight = rejectionOf(store.get('k'));
    await faulty.kill();
    client.disconnect();
    expect(isStoreUnavailable(await inFlight)).toBe(true);
    await faulty.restart();
    await eventually(async () => expect(await store.ping()).toBeUndefined());
  });

  it('a Redis that accepts commands but never answers makes them reject with StoreUnavailable', async () => {
    const store = createRedisStore({ url: faulty.url, commandTimeoutMs: 200 });
    stores.push(store);
    await eventually(async () => expect(await store.ping()).toBeUndefined());
    const client = new Redis(faulty.url);
    await client.call('CLIENT', 'PAUSE', '1500', 'ALL');
    expect(isStoreUnavailable(await rejectionOf(store.setIfAbsent('jti', 'v', 60_000)))).toBe(true);
    await client.call('CLIENT', 'UNPAUSE');
    client.disconnect();
  });
});
