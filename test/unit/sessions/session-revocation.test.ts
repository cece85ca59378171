import { afterEach, describe, expect, it } from 'vitest';
import { isFedgateError } from '../../../src/errors/index.js';
import type { RevocationEvent, SessionService, SigningKeyRing } from '../../../src/sessions/index.js';
import { createMemoryStore, type Store } from '../../../src/store/index.js';
import { manualClock, openSessions, sessionInput, T0, type ManualClock } from './session-fixtures.js';

const opened: { store: Store; keys: SigningKeyRing; sessions: SessionService }[] = [];

async function setup(
  clock: ManualClock = manualClock(),
  store: Store = createMemoryStore({ now: clock.now }),
) {
  const { keys, sessions } = await openSessions(store, { now: clock.now });
  opened.push({ store, keys, sessions });
  return { clock, store, keys, sessions };
}

afterEach(async () => {
  for (const { store, keys, sessions } of opened.splice(0)) {
    await sessions.close();
    keys.close();
    await store.close();
  }
});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isFedgateError(error) ? error.code : undefined;
}

/** Resolves with the first revocation event the service hears. */
function nextRevocation(sessions: SessionService): Promise<RevocationEvent> {
  return new Promise((resolve) => {
    const stop = sessions.onRevocation((event) => {
      stop();
      resolve(event);
    });
  });
}

describe('revocation (SPEC 6.4)', () => {
  it('one session: its credential is refused, other sessions of the same identity still verify', async () => {
    const { sessions, store } = await setup();
    const a = await sessions.issue(sessionInput());
    const b = await sessions.issue(sessionInput());
    expect(await sessions.revokeSession(a.session.id)).toBe(true);
    expect(await codeOf(sessions.verify(a.token))).toBe('InvalidToken');
    await expect(sessions.verify(b.token)).resolves.toMatchObject({ id: b.session.id });
    expect(await store.get(`session:{${a.session.id}}`)).toBeUndefined();
    expect(await sessions.get(a.session.id)).toBeUndefined();
    expect(await sessions.revokeSession(a.session.id)).toBe(false);
  });

  it('role: sessions issued before the time are refused, those issued at or after it verify', async () => {
    const { sessions, clock } = await setup();
    const old = await sessions.issue(sessionInput());
    const otherRole = await sessions.issue(sessionInput({ roleName: 'Auditor' }));
    clock.advance(10_000);
    const cutoff = Math.floor(clock.now() / 1000);
    const atCutoff = await sessions.issue(sessionInput());
    await sessions.revokeRole('Developer', cutoff);
    expect(await codeOf(sessions.verify(old.token))).toBe('InvalidToken');
    await expect(sessions.verify(atCutoff.token)).resolves.toBeDefined();
    await expect(sessions.verify(otherRole.token)).resolves.toBeDefined();
    clock.advance(1000);
    await expect(sessions.verify((await sessions.issue(sessionInput())).token)).resolves.toBeDefined();
  });

  it('role: an earlier cutoff given later does not narrow an earlier, wider revocation', async () => {
    const { sessions, clock } = await setup();
    const old = await sessions.issue(sessionInput());
    clock.advance(10_000);
    await sessions.revokeRole('Developer', Math.floor(clock.now() / 1000));
    await sessions.revokeRole('Developer', T0 / 1000 - 3600);
    expect(await codeOf(sessions.verify(old.token))).toBe('InvalidToken');
  });

  it('subject: every current session of the subject is refused; a later login is not', async () => {
    const { sessions, clock } = await setup();
    const dev = await sessions.issue(sessionInput());
    const ops = await sessions.issue(sessionInput({ roleName: 'Operator' }));
    const bob = await sessions.issue(sessionInput({ subject: 'bob', sessionName: 'bob' }));
    await sessions.revokeSubject('alice');
    expect(await codeOf(sessions.verify(dev.token))).toBe('InvalidToken');
    expect(await codeOf(sessions.verify(ops.token))).toBe('InvalidToken');
    await expect(sessions.verify(bob.token)).resolves.toBeDefined();
    clock.advance(1000);
    await expect(sessions.verify((await sessions.issue(sessionInput())).token)).resolves.toBeDefined();
  });

  it('subject of one provider: the same subject name from another provider is untouched', async () => {
    const { sessions } = await setup();
    const oidc = await sessions.issue(sessionInput({ provider: 'corp-oidc' }));
    const saml = await sessions.issue(sessionInput({ provider: 'corp-saml' }));
    await sessions.revokeSubject('alice', 'corp-saml');
    expect(await codeOf(sessions.verify(saml.token))).toBe('InvalidToken');
    await expect(sessions.verify(oidc.token)).resolves.toBeDefined();
  });

  it('portal session (logout): all its role sessions are refused and none can be minted from it any more', async () => {
    const { sessions } = await setup();
    const a = await sessions.issue(sessionInput({ portalSessionId: 'portal-1' }));
    const b = await sessions.issue(sessionInput({ roleName: 'Operator', portalSessionId: 'portal-1' }));
    const other = await sessions.issue(sessionInput({ portalSessionId: 'portal-2' }));
    expect(await sessions.revokePortalSession('portal-1')).toBe(2);
    expect(await codeOf(sessions.verify(a.token))).toBe('InvalidToken');
    expect(await codeOf(sessions.verify(b.token))).toBe('InvalidToken');
    await expect(sessions.verify(other.token)).resolves.toBeDefined();
    expect(await codeOf(sessions.issue(sessionInput({ portalSessionId: 'portal-1' })))).toBe('InvalidToken');
    expect((await sessions.list({ subject: 'alice' })).map((s) => s.id)).toEqual([other.session.id]);
  });

  it('a revoked session stays revoked for a new service instance on the same store (restart)', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    const first = await openSessions(store, { now: clock.now });
    const single = await first.sessions.issue(sessionInput());
    const byRole = await first.sessions.issue(sessionInput({ roleName: 'Operator' }));
    const bySubject = await first.sessions.issue(sessionInput({ subject: 'carol', sessionName: 'carol' }));
    const live = await first.sessions.issue(sessionInput({ subject: 'dave', sessionName: 'dave' }));
    await first.sessions.revokeSession(single.session.id);
    await first.sessions.revokeRole('Operator', Math.floor(clock.now() / 1000) + 1);
    await first.sessions.revokeSubject('carol');
    await first.sessions.close();
    first.keys.close();

    const second = await setup(clock, store);
    for (const revoked of [single, byRole, bySubject])
      expect(await codeOf(second.sessions.verify(revoked.token))).toBe('InvalidToken');
    await expect(second.sessions.verify(live.token)).resolves.toBeDefined();
  });

  it('every instance hears every revocation kind, the revoking one included', async () => {
    const clock = manualClock();
    const store = createMemoryStore({ now: clock.now });
    const one = await setup(clock, store);
    const two = await setup(clock, store);
    await one.sessions.start();
    await two.sessions.start();
    const { session } = await one.sessions.issue(sessionInput());
    const expected: RevocationEvent[] = [
      { kind: 'session', id: session.id },
      { kind: 'role', roleName: 'Developer', issuedBefore: T0 / 1000 },
      { kind: 'subject', subject: 'alice', provider: 'corp-oidc' },
      { kind: 'subject', subject: 'alice' },
      { kind: 'portal', portalSessionId: 'portal-9' },
    ];
    const revokes = [
      () => one.sessions.revokeSession(session.id),
      () => one.sessions.revokeRole('Developer', T0 / 1000),
      () => one.sessions.revokeSubject('alice', 'corp-oidc'),
      () => one.sessions.revokeSubject('alice'),
      () => one.sessions.revokePortalSession('portal-9'),
    ];
    for (const [i, revoke] of revokes.entries()) {
      const heardByOne = nextRevocation(one.sessions);
      const heardByTwo = nextRevocation(two.sessions);
      await revoke();
      expect(await heardByOne).toEqual(expected[i]);
      expect(await heardByTwo).toEqual(expected[i]);
    }
  });

  it('a malformed message on the revocation channel is ignored', async () => {
    const { sessions, store } = await setup();
    await sessions.start();
    const heard: RevocationEvent[] = [];
    sessions.onRevocation((event) => heard.push(event));
    await store.publish('revocations', '{"kind":"session"}');
    await store.publish('revocations', 'not json');
    const { session } = await sessions.issue(sessionInput());
    const next = nextRevocation(sessions);
    await sessions.revokeSession(session.id);
    await next;
    expect(heard).toEqual([{ kind: 'session', id: session.id }]);
  });
});

describe('session listing', () => {
  it('lists live sessions by role and by subject; expired ones drop out and are pruned from the index', async () => {
    const { sessions, clock, store } = await setup();
    const short = await sessions.issue(sessionInput({ durationSeconds: 900 }));
    const long = await sessions.issue(sessionInput({ durationSeconds: 7200 }));
    const ops = await sessions.issue(
      sessionInput({ roleName: 'Operator', subject: 'bob', sessionName: 'bob' }),
    );
    const ids = (list: { id: string }[]) => list.map((s) => s.id).sort();
    expect(ids(await sessions.list({ role: 'Developer' }))).toEqual(
      [short.session.id, long.session.id].sort(),
    );
    expect(ids(await sessions.list({ subject: 'bob' }))).toEqual([ops.session.id]);
    expect(ids(await sessions.list({ role: 'Developer', subject: 'bob' }))).toEqual([]);
    expect(ids(await sessions.list({}))).toHaveLength(3);
    clock.advance(900_000);
    expect(ids(await sessions.list({ role: 'Developer' }))).toEqual([long.session.id]);
    expect(await store.setMembers('sessions-index:role:Developer')).toEqual([long.session.id]);
  });

  it('a role-revoked session is not listed', async () => {
    const { sessions, clock } = await setup();
    await sessions.issue(sessionInput());
    clock.advance(5000);
    await sessions.revokeRole('Developer', Math.floor(clock.now() / 1000));
    expect(await sessions.list({ role: 'Developer' })).toEqual([]);
  });
});
