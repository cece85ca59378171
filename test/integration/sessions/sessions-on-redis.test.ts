import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isFedgateError } from '../../../src/errors/index.js';
import type { RevocationEvent, SessionService, SigningKeyRing } from '../../../src/sessions/index.js';
import { createRedisStore, type Store } from '../../../src/store/index.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { KEK, openSessions, sessionInput } from '../../unit/sessions/session-fixtures.js';

/** SPEC 4.5/6.4: every instance learns of a revocation within this long. */
const PROPAGATION_DEADLINE_MS = 1000;

interface Instance {
  store: Store;
  keys: SigningKeyRing;
  sessions: SessionService;
}

const instances: Instance[] = [];

/** One gateway instance: its own Redis connections, key ring and session service (real clock: Redis TTLs are real). */
async function openInstance(server: RedisServerHandle, keyPrefix: string): Promise<Instance> {
  const store = createRedisStore({
    url: server.url,
    keyPrefix,
    commandTimeoutMs: 500,
    connectTimeoutMs: 500,
  });
  const { keys, sessions } = await openSessions(store, { now: Date.now, keyEncryptionKey: KEK });
  await sessions.start();
  const instance = { store, keys, sessions };
  instances.push(instance);
  return instance;
}

async function closeInstance(instance: Instance): Promise<void> {
  const at = instances.indexOf(instance);
  if (at >= 0) instances.splice(at, 1);
  await instance.sessions.close();
  instance.keys.close();
  await instance.store.close();
}

afterEach(async () => {
  for (const instance of [...instances]) await closeInstance(instance);
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isFedgateError(error) ? error.code : undefined;
}

/** The first revocation the instance hears, or a rejection once the SPEC's propagation deadline has passed. */
function revocationHeardBy(instance: Instance): Promise<RevocationEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no revocation heard within ${PROPAGATION_DEADLINE_MS} ms`));
    }, PROPAGATION_DEADLINE_MS);
    const stop = instance.sessions.onRevocation((event) => {
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

/** Waits (bounded by the propagation deadline) until `probe` holds. */
async function eventually(probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + PROPAGATION_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return probe();
}

function prefix(): string {
  return `t-${randomBytes(4).toString('hex')}:`;
}

describe('sessions shared by gateway instances through a private redis-server', () => {
  let server: RedisServerHandle;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('a revocation on one instance reaches the other within 1 s, and the other refuses the credential', async () => {
    const keyPrefix = prefix();
    const a = await openInstance(server, keyPrefix);
    const b = await openInstance(server, keyPrefix);
    const issued = await a.sessions.issue(sessionInput());
    await expect(b.sessions.verify(issued.token)).resolves.toMatchObject({ id: issued.session.id });

    const heard = revocationHeardBy(b);
    await a.sessions.revokeSession(issued.session.id);
    expect(await heard).toEqual({ kind: 'session', id: issued.session.id });
    expect(await codeOf(b.sessions.verify(issued.token))).toBe('InvalidToken');

    const byRole = await b.sessions.issue(sessionInput({ roleName: 'Operator' }));
    const heardRole = revocationHeardBy(a);
    await b.sessions.revokeRole('Operator', Math.floor(Date.now() / 1000) + 1);
    expect(await heardRole).toMatchObject({ kind: 'role', roleName: 'Operator' });
    expect(await codeOf(a.sessions.verify(byRole.token))).toBe('InvalidToken');
  });

  it('revocations survive a restart of every instance; live sessions and the shared key survive too', async () => {
    const keyPrefix = prefix();
    const a = await openInstance(server, keyPrefix);
    const b = await openInstance(server, keyPrefix);
    const single = await a.sessions.issue(sessionInput());
    const byRole = await a.sessions.issue(sessionInput({ roleName: 'Operator' }));
    const bySubject = await b.sessions.issue(sessionInput({ subject: 'carol', sessionName: 'carol' }));
    const byPortal = await b.sessions.issue(
      sessionInput({ subject: 'erin', sessionName: 'erin', portalSessionId: 'p1' }),
    );
    const live = await b.sessions.issue(sessionInput({ subject: 'dave', sessionName: 'dave' }));
    await a.sessions.revokeSession(single.session.id);
    await a.sessions.revokeRole('Operator', Math.floor(Date.now() / 1000) + 1);
    await b.sessions.revokeSubject('carol');
    expect(await b.sessions.revokePortalSession('p1')).toBe(1);
    const kid = (await a.keys.currentKey()).kid;
    await closeInstance(a);
    await closeInstance(b);

    const c = await openInstance(server, keyPrefix);
    const d = await openInstance(server, keyPrefix);
    for (const instance of [c, d]) {
      for (const revoked of [single, byRole, bySubject, byPortal])
        expect(await codeOf(instance.sessions.verify(revoked.token))).toBe('InvalidToken');
      await expect(instance.sessions.verify(live.token)).resolves.toMatchObject({ subject: 'dave' });
      expect((await instance.keys.currentKey()).kid).toBe(kid);
    }
    expect(await codeOf(c.sessions.issue(sessionInput({ portalSessionId: 'p1' })))).toBe('InvalidToken');
  });

  it('the private signing key is stored encrypted in Redis: no "d" in the stored value', async () => {
    const keyPrefix = prefix();
    const a = await openInstance(server, keyPrefix);
    const stored = (await a.store.get('signing-keys:1')) ?? '';
    expect(JSON.parse(stored)).toMatchObject({
      kid: (await a.keys.currentKey()).kid,
      privateKey: { enc: 'A256GCM' },
    });
    expect(stored).not.toMatch(/"d"\s*:/);
  });

  it('instances opening at the same time on an empty Redis converge on one current key', async () => {
    const keyPrefix = prefix();
    const opened = await Promise.all([0, 1, 2].map(() => openInstance(server, keyPrefix)));
    const kids = await Promise.all(opened.map(async (instance) => (await instance.keys.currentKey()).kid));
    expect(new Set(kids).size).toBe(1);
  });

  it('a rotation on one instance is picked up by the other through the notice: it signs with the new key', async () => {
    const keyPrefix = prefix();
    const a = await openInstance(server, keyPrefix);
    const b = await openInstance(server, keyPrefix);
    const before = await b.sessions.issue(sessionInput());
    const { kid } = await a.keys.rotate();
    expect(await eventually(async () => (await b.keys.currentKey()).kid === kid)).toBe(true);
    expect((await b.keys.jwks()).keys.map((key) => key.kid)).toContain(kid);
    await expect(a.sessions.verify(before.token)).resolves.toBeDefined();
    await expect(a.sessions.verify((await b.sessions.issue(sessionInput())).token)).resolves.toBeDefined();
  });
});

describe('with the store down', () => {
  it('verify rejects with StoreUnavailable, never accepts the credential', async () => {
    const server = await startRedisServer();
    try {
      const instance = await openInstance(server, prefix());
      const { token } = await instance.sessions.issue(sessionInput());
      await expect(instance.sessions.verify(token)).resolves.toBeDefined();
      await server.kill();
      expect(await codeOf(instance.sessions.verify(token))).toBe('StoreUnavailable');
      expect(await codeOf(instance.sessions.revokeSession('anything'))).toBe('StoreUnavailable');
    } finally {
      await server.stop();
    }
  });
});
