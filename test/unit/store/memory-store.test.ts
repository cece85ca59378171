import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, type Store } from '../../../src/store/index.js';

describe('embedded store with an injected clock', () => {
  let time = 1_000_000;
  const stores: Store[] = [];
  function open(): Store {
    const store = createMemoryStore({ now: () => time });
    stores.push(store);
    return store;
  }
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  it('a record is returned until the last millisecond of its TTL and never at or after expiry', async () => {
    const store = open();
    await store.set('k', 'v', 1_000);
    time += 999;
    expect(await store.get('k')).toBe('v');
    expect(await store.ttl('k')).toBe(1);
    time += 1;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.ttl('k')).toBeUndefined();
  });

  it('an expired replay marker no longer blocks, a live one does', async () => {
    const store = open();
    expect(await store.setIfAbsent('jti', 'a', 500)).toBe(true);
    time += 499;
    expect(await store.setIfAbsent('jti', 'b', 500)).toBe(false);
    time += 1;
    expect(await store.setIfAbsent('jti', 'b', 500)).toBe(true);
  });

  it('an expired single-use state cannot be taken', async () => {
    const store = open();
    await store.set('state', 's', 100);
    time += 100;
    expect(await store.take('state')).toBeUndefined();
  });

  it('a rate-limit window counts within its TTL and restarts after it', async () => {
    const store = open();
    expect(await store.increment('w', 1_000)).toBe(1);
    time += 600;
    expect(await store.increment('w', 1_000)).toBe(2);
    expect(await store.ttl('w')).toBe(400);
    time += 400;
    expect(await store.increment('w', 1_000)).toBe(1);
  });

  it('each index member expires on its own; the index lives as long as its longest-lived member', async () => {
    const store = open();
    await store.addToSet('portal:1', 'session-a', 1_000);
    time += 500;
    await store.addToSet('portal:1', 'session-b', 1_000);
    expect(await store.ttl('portal:1')).toBe(1_000);
    time += 499;
    expect((await store.setMembers('portal:1')).sort()).toEqual(['session-a', 'session-b']);
    time += 1;
    expect(await store.setMembers('portal:1')).toEqual(['session-b']);
    time += 500;
    expect(await store.setMembers('portal:1')).toEqual([]);
  });

  it('incrementing a non-integer record is a programmer error', async () => {
    const store = open();
    await store.set('k', 'not a number');
    await expect(store.increment('k')).rejects.toBeInstanceOf(TypeError);
  });

  it('is always connected and never reports a connection change', async () => {
    const store = open();
    const changes: string[] = [];
    store.onConnectionChange((state) => changes.push(state));
    expect(store.isConnected()).toBe(true);
    await store.ping();
    expect(changes).toEqual([]);
  });
});
