import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSERTION_TYPE, upstreamAssertion } from '../../../src/authorizer/upstream-assertion.js';
import { SIGNING_ALGORITHMS, type SessionService, type SigningKeyRing } from '../../../src/sessions/index.js';
import { createMemoryStore, type Store } from '../../../src/store/index.js';
import { ISSUER, manualClock, openSessions, sessionInput } from '../sessions/session-fixtures.js';

const opened: { store: Store; keys: SigningKeyRing; sessions: SessionService }[] = [];
afterEach(async () => {
  for (const { store, keys, sessions } of opened.splice(0)) {
    await sessions.close();
    keys.close();
    await store.close();
  }
});

describe('the upstream assertion (signed with node:crypto) is a JWT any JOSE library verifies', () => {
  for (const algorithm of SIGNING_ALGORITHMS) {
    it(`${algorithm}: header, claims and signature verify with jose against the published key`, async () => {
      const clock = manualClock();
      const store = createMemoryStore({ now: clock.now });
      const { keys, sessions } = await openSessions(store, { now: clock.now, algorithm });
      opened.push({ store, keys, sessions });
      const { session } = await sessions.issue(sessionInput({ sourceIdentity: 'alice-src' }));
      const jwt = await upstreamAssertion({
        keys,
        issuer: ISSUER,
        session,
        audience: 'orders.example.com',
        nowMs: clock.now(),
        memo: new Map(),
      });
      const { kid } = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
        kid: string;
      };
      const published = await keys.publishedKey(kid);
      if (published === undefined) throw new Error('the assertion names an unpublished key');
      const { payload, protectedHeader } = await jwtVerify(jwt, published.key, {
        issuer: ISSUER,
        audience: 'orders.example.com',
        typ: ASSERTION_TYPE,
        algorithms: [algorithm],
        currentDate: new Date(clock.now()),
      });
      expect(protectedHeader).toEqual({ alg: algorithm, kid, typ: ASSERTION_TYPE });
      const now = Math.floor(clock.now() / 1000);
      expect(payload).toMatchObject({
        sub: session.principalArn,
        role: session.roleArn,
        sid: session.id,
        idp: session.provider,
        fsub: session.subject,
        tags: session.tags,
        mfa: session.mfa,
        srcid: 'alice-src',
        iat: now,
        nbf: now,
        exp: now + 60,
      });
      expect(typeof payload.jti).toBe('string');
      // One changed claim and the signature no longer verifies.
      const [header, body, signature] = jwt.split('.') as [string, string, string];
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...payload, role: 'admin' })).toString('base64url')}.${signature}`;
      await expect(jwtVerify(forged, published.key, { algorithms: [algorithm] })).rejects.toThrow();
      expect(body.length).toBeGreaterThan(0);
    });
  }
});
