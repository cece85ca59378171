import { createHmac } from 'node:crypto';
import { decodeJwt, SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { isFedgateError } from '../../../src/errors/index.js';
import type { SessionService, SigningKeyRing } from '../../../src/sessions/index.js';
import { createMemoryStore, type Store } from '../../../src/store/index.js';
import { manualClock, openSessions, sessionInput } from './session-fixtures.js';

const opened: { store: Store; keys: SigningKeyRing; sessions: SessionService }[] = [];

async function setup() {
  const clock = manualClock();
  const store = createMemoryStore({ now: clock.now });
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

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isFedgateError(error)) throw new Error(`expected a FedgateError, got ${String(error)}`);
  return error.code;
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Re-signs the claims of `token` with the gateway's own current key but a different header. */
async function resign(keys: SigningKeyRing, token: string, header: Record<string, unknown>): Promise<string> {
  const key = await keys.currentKey();
  return new SignJWT(decodeJwt(token) as JWTPayload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, ...header })
    .sign(key.privateKey);
}

describe('a session credential is refused when', () => {
  it('its payload was tampered with (tags changed)', async () => {
    const { sessions } = await setup();
    const { token } = await sessions.issue(sessionInput());
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = `${header}.${b64({ ...claims, tags: { team: 'admins' } })}.${signature}`;
    expect(await codeOf(sessions.verify(forged))).toBe('InvalidToken');
  });

  it('it is signed by a key the gateway never published', async () => {
    const { sessions } = await setup();
    const other = await setup();
    const { token } = await other.sessions.issue(sessionInput());
    expect(await codeOf(sessions.verify(token))).toBe('InvalidToken');
  });

  it('it names a published kid but is signed by another key', async () => {
    const { sessions, keys } = await setup();
    const other = await setup();
    const { token } = await sessions.issue(sessionInput());
    const foreign = await other.keys.currentKey();
    const forged = await new SignJWT(decodeJwt(token) as JWTPayload)
      .setProtectedHeader({ alg: 'ES256', kid: (await keys.currentKey()).kid, typ: 'fedgate-session+jwt' })
      .sign(foreign.privateKey);
    expect(await codeOf(sessions.verify(forged))).toBe('InvalidToken');
  });

  it('alg is none (unsecured JWT)', async () => {
    const { sessions, keys } = await setup();
    const { token } = await sessions.issue(sessionInput());
    const header = { alg: 'none', kid: (await keys.currentKey()).kid, typ: 'fedgate-session+jwt' };
    const unsecured = `${b64(header)}.${token.split('.')[1] ?? ''}.`;
    expect(await codeOf(sessions.verify(unsecured))).toBe('InvalidToken');
  });

  it('alg is HS256 keyed with the published public key (algorithm confusion)', async () => {
    const { sessions, keys } = await setup();
    const { token } = await sessions.issue(sessionInput());
    const jwk = (await keys.jwks()).keys[0];
    const header = b64({ alg: 'HS256', kid: jwk?.kid, typ: 'fedgate-session+jwt' });
    const payload = token.split('.')[1] ?? '';
    const mac = createHmac('sha256', JSON.stringify(jwk)).update(`${header}.${payload}`).digest('base64url');
    expect(await codeOf(sessions.verify(`${header}.${payload}.${mac}`))).toBe('InvalidToken');
  });

  it('typ is not fedgate-session+jwt (a JWT of another kind signed by the same key)', async () => {
    const { sessions, keys } = await setup();
    const { token } = await sessions.issue(sessionInput());
    expect(await codeOf(sessions.verify(await resign(keys, token, { typ: 'JWT' })))).toBe('InvalidToken');
    expect(await codeOf(sessions.verify(await resign(keys, token, {})))).toBe('InvalidToken');
  });

  it('it is expired: ExpiredToken at exp exactly, no skew added', async () => {
    const { sessions, clock } = await setup();
    const { token } = await sessions.issue(sessionInput({ durationSeconds: 900 }));
    clock.advance(899_999);
    await expect(sessions.verify(token)).resolves.toBeDefined();
    clock.advance(1);
    expect(await codeOf(sessions.verify(token))).toBe('ExpiredToken');
  });

  it('it is not yet valid (nbf in the future)', async () => {
    const { sessions, clock } = await setup();
    const { token } = await sessions.issue(sessionInput());
    clock.advance(-1000);
    expect(await codeOf(sessions.verify(token))).toBe('InvalidToken');
  });

  it('its session record was deleted from the store', async () => {
    const { sessions, store } = await setup();
    const { token, session } = await sessions.issue(sessionInput());
    expect(await store.delete(`session:{${session.id}}`)).toBe(true);
    expect(await codeOf(sessions.verify(token))).toBe('InvalidToken');
  });

  it('the issuer differs (a token from another gateway sharing the store and keys)', async () => {
    const { sessions, keys } = await setup();
    const { token } = await sessions.issue(sessionInput());
    const claims = decodeJwt(token);
    const key = await keys.currentKey();
    const forged = await new SignJWT({ ...claims, iss: 'https://other.example.com' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'fedgate-session+jwt' })
      .sign(key.privateKey);
    expect(await codeOf(sessions.verify(forged))).toBe('InvalidToken');
  });

  it('the audience is not the one asked for; an exchanged audience is accepted only when asked for', async () => {
    const { sessions } = await setup();
    const exchanged = await sessions.issue(sessionInput({ audience: 'reports' }));
    expect(await codeOf(sessions.verify(exchanged.token))).toBe('InvalidToken');
    await expect(
      sessions.verify(exchanged.token, { audience: ['reports', 'billing'] }),
    ).resolves.toMatchObject({
      audience: 'reports',
    });
    const plain = await sessions.issue(sessionInput());
    expect(await codeOf(sessions.verify(plain.token, { audience: 'reports' }))).toBe('InvalidToken');
  });

  it('its claims disagree with the session record (a signed token re-pointed at another session)', async () => {
    const { sessions, keys } = await setup();
    const alice = await sessions.issue(sessionInput());
    const bob = await sessions.issue(sessionInput({ subject: 'bob', sessionName: 'bob' }));
    const key = await keys.currentKey();
    const forged = await new SignJWT({ ...decodeJwt(alice.token), jti: bob.session.id })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'fedgate-session+jwt' })
      .sign(key.privateKey);
    expect(await codeOf(sessions.verify(forged))).toBe('InvalidToken');
  });

  it('it is not a JWT at all', async () => {
    const { sessions } = await setup();
    for (const garbage of ['', 'abc', 'a.b.c', 'x'.repeat(20_000)])
      expect(await codeOf(sessions.verify(garbage))).toBe('InvalidToken');
  });

  it('the store cannot be read: StoreUnavailable, never valid', async () => {
    const { sessions, store } = await setup();
    const { token } = await sessions.issue(sessionInput());
    await store.close();
    expect(await codeOf(sessions.verify(token))).toBe('StoreUnavailable');
  });
});

/**
 * A token verified before in this process (`verifiedBefore`, the authorizer's expired cache entry) is re-checked
 * without its signature: everything that can change since is still checked.
 */
describe('a token re-checked after an earlier verification is still refused when', () => {
  it('its session was revoked (the store is read as always)', async () => {
    const { sessions } = await setup();
    const { token } = await sessions.issue(sessionInput());
    const verified = await sessions.verify(token);
    await expect(sessions.verify(token, { verifiedBefore: verified })).resolves.toEqual(verified);
    await sessions.revokeSession(verified.id);
    expect(await codeOf(sessions.verify(token, { verifiedBefore: verified }))).toBe('InvalidToken');
  });

  it('it expired meanwhile: ExpiredToken at exp exactly', async () => {
    const { sessions, clock } = await setup();
    const { token } = await sessions.issue(sessionInput({ durationSeconds: 900 }));
    const verified = await sessions.verify(token);
    clock.advance(900_000);
    expect(await codeOf(sessions.verify(token, { verifiedBefore: verified }))).toBe('ExpiredToken');
  });

  it('its signing key is not published here (a token of another gateway)', async () => {
    const { sessions } = await setup();
    const other = await setup();
    const { token } = await other.sessions.issue(sessionInput());
    const verified = await other.sessions.verify(token);
    expect(await codeOf(sessions.verify(token, { verifiedBefore: verified }))).toBe('InvalidToken');
  });

  it('the audience is not the one asked for', async () => {
    const { sessions } = await setup();
    const { token } = await sessions.issue(sessionInput());
    const verified = await sessions.verify(token);
    expect(await codeOf(sessions.verify(token, { audience: 'orders-api', verifiedBefore: verified }))).toBe(
      'InvalidToken',
    );
  });

  it('the store cannot be read: StoreUnavailable, never valid', async () => {
    const { sessions, store } = await setup();
    const { token } = await sessions.issue(sessionInput());
    const verified = await sessions.verify(token);
    await store.close();
    expect(await codeOf(sessions.verify(token, { verifiedBefore: verified }))).toBe('StoreUnavailable');
  });
});
