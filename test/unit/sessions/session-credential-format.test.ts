import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { isFedgateError } from '../../../src/errors/index.js';
import {
  SESSION_TOKEN_TYPE,
  SIGNING_ALGORITHMS,
  KeyEncryptionKey,
  SessionService,
  type SigningKeyRing,
} from '../../../src/sessions/index.js';
import { createMemoryStore, type Store } from '../../../src/store/index.js';
import { ISSUER, KEK, manualClock, openSessions, sessionInput, T0 } from './session-fixtures.js';

const opened: { store: Store; keys: SigningKeyRing; sessions: SessionService }[] = [];

async function setup(algorithm: (typeof SIGNING_ALGORITHMS)[number] = 'ES256') {
  const clock = manualClock();
  const store = createMemoryStore({ now: clock.now });
  const { keys, sessions } = await openSessions(store, { now: clock.now, algorithm });
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

describe('session credential format (SPEC 6.1)', () => {
  for (const algorithm of SIGNING_ALGORITHMS)
    it(`round trip: a credential signed with ${algorithm} verifies to its session`, async () => {
      const { sessions } = await setup(algorithm);
      const issued = await sessions.issue(sessionInput());
      expect(decodeProtectedHeader(issued.token).alg).toBe(algorithm);
      const verified = await sessions.verify(issued.token);
      expect(verified).toEqual(issued.session);
      expect(verified.principalArn).toBe(
        'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
      );
      expect(verified.roleArn).toBe('arn:fedgate:iam::000000000000:role/Developer');
    });

  it('the header is exactly alg, kid and typ fedgate-session+jwt', async () => {
    const { sessions, keys } = await setup();
    const issued = await sessions.issue(sessionInput());
    const current = await keys.currentKey();
    expect(decodeProtectedHeader(issued.token)).toEqual({
      alg: 'ES256',
      kid: current.kid,
      typ: SESSION_TOKEN_TYPE,
    });
  });

  it('the claims are exactly those of SPEC 6.1 with their values', async () => {
    const { sessions } = await setup();
    const issued = await sessions.issue(
      sessionInput({ sourceIdentity: 'alice', actor: { sub: 'reports-app' }, audience: 'fedgate' }),
    );
    const claims = decodeJwt(issued.token);
    expect(claims).toEqual({
      iss: ISSUER,
      sub: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
      aud: 'fedgate',
      iat: T0 / 1000,
      nbf: T0 / 1000,
      exp: T0 / 1000 + 3600,
      jti: issued.session.id,
      role: 'arn:fedgate:iam::000000000000:role/Developer',
      idp: 'corp-oidc',
      fsub: 'alice',
      tags: { team: 'red', costCenter: '42' },
      ttk: ['team'],
      srcid: 'alice',
      mfa: true,
      amr: ['pwd', 'mfa'],
      chain: 0,
      act: { sub: 'reports-app' },
    });
  });

  it('absent optional claims (srcid, act) are omitted, not null', async () => {
    const { sessions } = await setup();
    const claims = decodeJwt((await sessions.issue(sessionInput())).token);
    expect(Object.keys(claims).sort()).toEqual(
      [
        'iss',
        'sub',
        'aud',
        'iat',
        'nbf',
        'exp',
        'jti',
        'role',
        'idp',
        'fsub',
        'tags',
        'ttk',
        'mfa',
        'amr',
        'chain',
      ].sort(),
    );
  });

  it('no secret and no policy text inside the token', async () => {
    const { sessions } = await setup();
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    };
    const issued = await sessions.issue(sessionInput({ sessionPolicies: [policy], hasSessionPolicy: true }));
    const payload = Buffer.from(issued.token.split('.')[1] ?? '', 'base64url').toString('utf8');
    expect(payload).not.toContain(issued.secretAccessKey);
    expect(payload).not.toContain(issued.session.secretAccessKey?.ciphertext);
    expect(payload).not.toContain('s3:GetObject');
    expect(payload).not.toContain(issued.accessKeyId);
    expect((await sessions.verify(issued.token)).sessionPolicies).toEqual([policy]);
  });

  it('access key id is FSIA + 16 base32 characters; the secret is 40 characters and kept only encrypted', async () => {
    const { sessions, store } = await setup();
    const issued = await sessions.issue(sessionInput());
    expect(issued.accessKeyId).toMatch(/^FSIA[A-Z2-7]{16}$/);
    expect(issued.secretAccessKey).toHaveLength(40);
    expect(issued.expiration.toISOString()).toBe(new Date(T0 + 3600_000).toISOString());
    const raw = await store.get(`session:{${issued.session.id}}`);
    expect(raw).toBeDefined();
    expect(raw).not.toContain(issued.secretAccessKey);
    expect(sessions.secretAccessKeyOf(await sessions.verify(issued.token))).toBe(issued.secretAccessKey);
  });

  it('secret-moved-between-records: an encrypted secret copied into another session record does not decrypt', async () => {
    const { sessions } = await setup();
    const a = await sessions.issue(sessionInput());
    const b = await sessions.issue(sessionInput());
    const forged = { ...b.session, secretAccessKey: a.session.secretAccessKey ?? b.session.secretAccessKey! };
    expect(sessions.secretAccessKeyOf(forged)).toBeUndefined();
  });

  it('another FEDGATE_KEY_ENCRYPTION_KEY cannot open the stored secret; the same one can (another instance)', async () => {
    const { sessions, store, keys } = await setup();
    const kek = (secret: string) => KeyEncryptionKey.fromSecret(secret, 'session-secrets');
    const writer = new SessionService({
      store,
      keys,
      issuer: ISSUER,
      partition: 'fedgate',
      account: '000000000000',
      now: () => T0,
      secretKey: kek(KEK),
    });
    const issued = await writer.issue(sessionInput());
    const sameKek = new SessionService({
      store,
      keys,
      issuer: ISSUER,
      partition: 'fedgate',
      account: '000000000000',
      secretKey: kek(KEK),
    });
    const otherKek = new SessionService({
      store,
      keys,
      issuer: ISSUER,
      partition: 'fedgate',
      account: '000000000000',
      secretKey: kek(`${KEK}x`),
    });
    expect(sameKek.secretAccessKeyOf(issued.session)).toBe(issued.secretAccessKey);
    expect(otherKek.secretAccessKeyOf(issued.session)).toBeUndefined();
    expect(sessions.secretAccessKeyOf(issued.session)).toBeUndefined();
  });

  for (const algorithm of SIGNING_ALGORITHMS)
    it(`50 tags of ordinary size stay under 4 KB with ${algorithm}`, async () => {
      const { sessions } = await setup(algorithm);
      const tags = Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [
          `tag-${String(i).padStart(2, '0')}-abcde`,
          `value-${i}-abcdefghi`,
        ]),
      );
      const issued = await sessions.issue(sessionInput({ tags, transitiveTagKeys: [] }));
      expect(Buffer.byteLength(issued.token)).toBeLessThan(4096);
      expect(issued.packedPolicySize).toBeLessThanOrEqual(100);
      expect((await sessions.verify(issued.token)).tags).toEqual(tags);
    });

  it('50 maximum-size tags cannot fit in 4 KB: refused with PackedPolicyTooLarge, nothing stored', async () => {
    const { sessions } = await setup();
    const tags = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [
        `${String(i).padStart(2, '0')}`.padEnd(128, 'k'),
        'v'.repeat(256),
      ]),
    );
    const error = await sessions.issue(sessionInput({ tags })).catch((e: unknown) => e);
    expect(isFedgateError(error) && error.code).toBe('PackedPolicyTooLarge');
    expect(await sessions.list({})).toEqual([]);
  });

  it('duration beyond 12 h, or beyond 1 h for a chained session, is a ValidationError', async () => {
    const { sessions } = await setup();
    for (const input of [
      sessionInput({ durationSeconds: 12 * 3600 + 1 }),
      sessionInput({ chain: 1, durationSeconds: 3601 }),
      sessionInput({ durationSeconds: 0 }),
    ]) {
      const error = await sessions.issue(input).catch((e: unknown) => e);
      expect(isFedgateError(error) && error.code).toBe('ValidationError');
    }
    await expect(sessions.issue(sessionInput({ chain: 1, durationSeconds: 3600 }))).resolves.toBeDefined();
  });
});
