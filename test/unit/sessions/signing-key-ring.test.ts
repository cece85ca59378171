import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { isFedgateError } from '../../../src/errors/index.js';
import { SessionService, SigningKeyRing, type SigningKeyRingOptions } from '../../../src/sessions/index.js';
import { createMemoryStore, createRedisStore, type Store } from '../../../src/store/index.js';
import { ISSUER, KEK, manualClock, sessionInput, type ManualClock } from './session-fixtures.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const MAX_LIFETIME_S = 12 * 3600;
const REFRESH_S = 60;

const toClose: { close(): unknown }[] = [];

afterEach(async () => {
  for (const item of toClose.splice(0).reverse()) await item.close();
});

function memoryStore(clock: ManualClock): Store {
  const store = createMemoryStore({ now: clock.now });
  toClose.push(store);
  return store;
}

async function openRing(
  store: Store,
  clock: ManualClock,
  overrides: Partial<SigningKeyRingOptions> = {},
): Promise<SigningKeyRing> {
  const ring = await SigningKeyRing.open({
    store,
    algorithm: 'ES256',
    rotationIntervalSeconds: 86_400,
    maxTokenLifetimeSeconds: MAX_LIFETIME_S,
    refreshIntervalSeconds: REFRESH_S,
    now: clock.now,
    ...overrides,
  });
  toClose.push(ring);
  return ring;
}

function serviceFor(store: Store, keys: SigningKeyRing, clock: ManualClock): SessionService {
  return new SessionService({
    store,
    keys,
    issuer: ISSUER,
    partition: 'fedgate',
    account: '000000000000',
    now: clock.now,
  });
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('signing keys (SPEC 6.5)', () => {
  it('the JWKS holds public keys only, each with kid, alg and use sig', async () => {
    const clock = manualClock();
    for (const algorithm of ['ES256', 'EdDSA', 'RS256'] as const) {
      const ring = await openRing(memoryStore(clock), clock, { algorithm });
      const { keys } = await ring.jwks();
      expect(keys).toHaveLength(1);
      const [jwk] = keys;
      expect(jwk).toMatchObject({ kid: (await ring.currentKey()).kid, alg: algorithm, use: 'sig' });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk).not.toHaveProperty(secret);
    }
  });

  it('rotation: old tokens keep verifying and the JWKS lists both keys until the old one can sign nothing alive, then only the new', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const ring = await openRing(store, clock);
    const sessions = serviceFor(store, ring, clock);
    const before = await sessions.issue(sessionInput({ durationSeconds: 12 * 3600 }));
    const oldKid = decodeProtectedHeader(before.token).kid;

    clock.advance(HOUR);
    const { kid: newKid } = await ring.rotate();
    expect(newKid).not.toBe(oldKid);
    const after = await sessions.issue(sessionInput());
    expect(decodeProtectedHeader(after.token).kid).toBe(newKid);
    await expect(sessions.verify(before.token)).resolves.toBeDefined();
    expect((await ring.jwks()).keys.map((k) => k.kid)).toEqual([newKid, oldKid]);

    // Retired at the rotation: published until retiredAt + max token lifetime + one refresh interval.
    clock.advance(MAX_LIFETIME_S * 1000 + REFRESH_S * 1000 - 1);
    expect((await ring.jwks()).keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
    clock.advance(1);
    expect((await ring.jwks()).keys.map((k) => k.kid)).toEqual([newKid]);
    expect(await ring.verificationKey(oldKid as string)).toBeUndefined();
  });

  it('rotation on schedule: the first signature after the interval uses a new key', async () => {
    const clock = manualClock();
    const ring = await openRing(memoryStore(clock), clock, { rotationIntervalSeconds: 3600 });
    const first = (await ring.currentKey()).kid;
    clock.advance(HOUR - 1);
    expect((await ring.currentKey()).kid).toBe(first);
    clock.advance(1);
    const second = (await ring.currentKey()).kid;
    expect(second).not.toBe(first);
    expect((await ring.jwks()).keys.map((k) => k.kid)).toEqual([second, first]);
  });

  it('a burst of concurrent signatures confirms the current key with one store read, not one each', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const ring = await openRing(store, clock);
    await ring.currentKey();
    let reads = 0;
    const counting: Store = {
      ...store,
      get: (key) => {
        if (key.includes('signing')) reads++;
        return store.get(key);
      },
    } as Store;
    const counted = await openRing(counting, clock);
    reads = 0;
    const keys = await Promise.all(Array.from({ length: 20 }, () => counted.currentKey()));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    expect(reads).toBe(1);
    // A later signature reads again: the answer is shared only while a read is in flight.
    await counted.currentKey();
    expect(reads).toBe(2);
  });

  it('two key rings opening at the same time on an empty store converge on one current key', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const rings = await Promise.all([openRing(store, clock), openRing(store, clock), openRing(store, clock)]);
    const kids = await Promise.all(rings.map(async (ring) => (await ring.currentKey()).kid));
    expect(new Set(kids).size).toBe(1);
    expect(await store.setMembers('signing-keys')).toEqual(['1']);
  });

  it('instances rotating on the same schedule at the same moment converge on one new key', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const a = await openRing(store, clock, { rotationIntervalSeconds: 3600 });
    const b = await openRing(store, clock, { rotationIntervalSeconds: 3600 });
    clock.advance(DAY);
    const [ka, kb] = await Promise.all([a.currentKey(), b.currentKey()]);
    expect(ka.kid).toBe(kb.kid);
  });

  it('a rotation on one instance reaches the others: they sign with the new key and verify tokens it signed', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const a = await openRing(store, clock);
    const b = await openRing(store, clock);
    const { kid } = await a.rotate();
    await expect(b.verificationKey(kid)).resolves.toBeDefined();
    expect((await b.currentKey()).kid).toBe(kid);
  });

  it('a retired key never signs again even if asked to rotate from it concurrently', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const ring = await openRing(store, clock);
    const [x, y] = await Promise.all([ring.rotate(), ring.rotate()]);
    expect(x.kid).toBe(y.kid);
    expect((await ring.currentKey()).kid).toBe(x.kid);
  });

  it('the private key in the store is AES-256-GCM encrypted under the KEK: no "d" in the stored value', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const ring = await openRing(store, clock, { keyEncryptionKey: KEK });
    const stored = (await store.get('signing-keys:1')) ?? '';
    expect(JSON.parse(stored)).toMatchObject({ privateKey: { enc: 'A256GCM' } });
    expect(stored).not.toMatch(/"d"\s*:/);
    // Another instance with the same KEK signs with the shared key; tokens cross-verify.
    const other = await openRing(store, clock, { keyEncryptionKey: KEK });
    const sessions = serviceFor(store, other, clock);
    const { token } = await sessions.issue(sessionInput());
    await expect(serviceFor(store, ring, clock).verify(token)).resolves.toBeDefined();
  });

  it('a KEK that differs from the one that encrypted the shared keys is refused at open, saying why', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    await openRing(store, clock, { keyEncryptionKey: KEK });
    const error = await errorOf(
      openRing(store, clock, { keyEncryptionKey: 'another-key-encryption-key-of-40-chars!!' }),
    );
    expect(isFedgateError(error) && error.code).toBe('InvalidConfiguration');
    expect(String((error as Error).message)).toContain('FEDGATE_KEY_ENCRYPTION_KEY');
  });

  it('a Redis store without a KEK is refused with InvalidConfiguration naming FEDGATE_KEY_ENCRYPTION_KEY', async () => {
    const clock = manualClock();
    // Nothing listens on port 1; the ring must refuse before talking to the store.
    const store = createRedisStore({
      url: 'redis://127.0.0.1:1',
      connectTimeoutMs: 100,
      commandTimeoutMs: 100,
    });
    toClose.push(store);
    const error = await errorOf(openRing(store, clock));
    expect(isFedgateError(error) && error.code).toBe('InvalidConfiguration');
    expect(String((error as Error).message)).toContain('FEDGATE_KEY_ENCRYPTION_KEY');
  });

  it('a KEK shorter than 32 characters is refused', async () => {
    const clock = manualClock();
    const error = await errorOf(openRing(memoryStore(clock), clock, { keyEncryptionKey: 'x'.repeat(31) }));
    expect(isFedgateError(error) && error.code).toBe('InvalidConfiguration');
  });

  it('a change of algorithm in the configuration rotates to a key of the new algorithm; old tokens still verify', async () => {
    const clock = manualClock();
    const store = memoryStore(clock);
    const es = await openRing(store, clock, { algorithm: 'ES256' });
    const { token } = await serviceFor(store, es, clock).issue(sessionInput());
    es.close();
    const rs = await openRing(store, clock, { algorithm: 'EdDSA' });
    expect((await rs.currentKey()).alg).toBe('EdDSA');
    await expect(serviceFor(store, rs, clock).verify(token)).resolves.toBeDefined();
  });
});
