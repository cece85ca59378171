import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VerifiedSessionCache } from '../../../src/authorizer/verified-session-cache.js';
import { SessionService, SigningKeyRing, type RoleSessionInput } from '../../../src/sessions/index.js';
import { createMemoryStore, type Store } from '../../../src/store/index.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function input(overrides: Partial<RoleSessionInput> = {}): RoleSessionInput {
  return {
    roleName: 'Developer',
    sessionName: 'alice',
    provider: 'corp',
    subject: 'alice',
    tags: {},
    transitiveTagKeys: [],
    mfa: false,
    amr: [],
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    durationSeconds: 3600,
    ...overrides,
  };
}

describe('verified-session cache', () => {
  let clock: number;
  const now = (): number => clock;
  let store: Store;
  let keys: SigningKeyRing;
  let sessions: SessionService;

  beforeEach(async () => {
    clock = T0;
    store = createMemoryStore({ now });
    keys = await SigningKeyRing.open({
      store,
      algorithm: 'ES256',
      rotationIntervalSeconds: 86_400,
      maxTokenLifetimeSeconds: 43_200,
      now,
    });
    sessions = new SessionService({
      store,
      keys,
      issuer: 'https://sso.example.com',
      partition: 'fedgate',
      account: '000000000000',
      now,
    });
    await sessions.start();
  });
  afterEach(async () => {
    await sessions.close();
    keys.close();
    await store.close();
  });

  async function subscribed(cache: VerifiedSessionCache): Promise<void> {
    // start() already resolved above; the cache learns it on the next microtasks.
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.available()).toBe(true);
  }

  it('never holds more credentials than cacheMaxEntries, however many are verified', async () => {
    const cache = new VerifiedSessionCache({ sessions, store, maxEntries: 3, ttlMs: 30_000, now });
    await subscribed(cache);
    for (let i = 0; i < 10; i++) {
      const { token } = await sessions.issue(input({ sessionName: `user${i}` }));
      await cache.resolve(token);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.size).toBe(3);
    cache.close();
  });

  it('maxEntries 0 caches nothing', async () => {
    const cache = new VerifiedSessionCache({ sessions, store, maxEntries: 0, ttlMs: 30_000, now });
    await subscribed(cache);
    const { token } = await sessions.issue(input());
    await cache.resolve(token);
    expect(cache.size).toBe(0);
    cache.close();
  });

  it('an entry never outlives cacheTtl: after it the store is asked again and a revocation it missed counts', async () => {
    const cache = new VerifiedSessionCache({ sessions, store, maxEntries: 10, ttlMs: 30_000, now });
    await subscribed(cache);
    const { token, session } = await sessions.issue(input());
    await cache.resolve(token);
    // A revocation the cache cannot hear about: the record deleted behind the service's back.
    await store.delete(`session:{${session.id}}`);
    await expect(cache.resolve(token)).resolves.toBeDefined();
    clock += 30_000;
    await expect(cache.resolve(token)).rejects.toMatchObject({ code: 'InvalidToken' });
    cache.close();
  });

  it('after cacheTtl the same token is re-checked against the store without verifying its signature again', async () => {
    const seen: (object | undefined)[] = [];
    const verify = sessions.verify.bind(sessions);
    sessions.verify = (token, options) => {
      seen.push(options?.verifiedBefore);
      return verify(token, options);
    };
    const cache = new VerifiedSessionCache({ sessions, store, maxEntries: 10, ttlMs: 30_000, now });
    await subscribed(cache);
    const { token } = await sessions.issue(input());
    const first = await cache.resolve(token);
    clock += 30_000;
    const again = await cache.resolve(token);
    expect(seen).toEqual([undefined, first.session]);
    expect(again.session).toEqual(first.session);
    // Another token never inherits an earlier verification.
    const other = await sessions.issue(input({ sessionName: 'bob' }));
    await cache.resolve(other.token);
    expect(seen[2]).toBeUndefined();
    cache.close();
  });

  it('an entry never outlives the token: expiry within the TTL is honoured', async () => {
    const cache = new VerifiedSessionCache({ sessions, store, maxEntries: 10, ttlMs: 600_000, now });
    await subscribed(cache);
    const { token } = await sessions.issue(input({ durationSeconds: 900 }));
    await cache.resolve(token);
    clock += 900_000;
    await expect(cache.resolve(token)).rejects.toMatchObject({ code: 'ExpiredToken' });
    cache.close();
  });

  it('revocations evict exactly the matching entries (session, role, subject, portal session)', async () => {
    const cache = new VerifiedSessionCache({ sessions, store, maxEntries: 10, ttlMs: 30_000, now });
    await subscribed(cache);
    const a = await sessions.issue(input({ sessionName: 'a' }));
    const b = await sessions.issue(input({ sessionName: 'b', roleName: 'Viewer' }));
    const c = await sessions.issue(input({ sessionName: 'c', subject: 'carol' }));
    const d = await sessions.issue(input({ sessionName: 'd', subject: 'dave', portalSessionId: 'portal-1' }));
    for (const { token } of [a, b, c, d]) await cache.resolve(token);
    expect(cache.size).toBe(4);

    const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await sessions.revokeSession(a.session.id);
    await settle();
    expect(cache.size).toBe(3);
    await sessions.revokeRole('Viewer', b.session.issuedAt + 1);
    await settle();
    expect(cache.size).toBe(2);
    await sessions.revokeSubject('carol');
    await settle();
    expect(cache.size).toBe(1);
    await sessions.revokePortalSession('portal-1');
    await settle();
    expect(cache.size).toBe(0);
    for (const { token } of [a, b, c, d])
      await expect(cache.resolve(token)).rejects.toMatchObject({ code: 'InvalidToken' });
    cache.close();
  });
});
