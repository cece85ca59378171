import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { RoleSession, SigningKeyRing } from '../sessions/index.js';

/** Lifetime of an `X-Fedgate-Assertion` (SPEC 4.5). */
export const ASSERTION_LIFETIME_SECONDS = 60;
/** The JWT `typ` of an upstream assertion, distinct from a session credential's so one is never taken for the other. */
export const ASSERTION_TYPE = 'fedgate-assertion+jwt';
/** A memoized assertion is reused while it has at least this long to live. */
const REUSE_MIN_REMAINING_SECONDS = 30;

interface MemoizedAssertion {
  readonly jwt: string;
  readonly expiresAt: number;
}

/**
 * The 60-second JWT for the upstream at `audience` (the route's host), signed with the current key.
 * One per session and audience is memoized in `memo` and reused while it has 30 s left: signing on every
 * request would cost more than the whole decision. A memoized assertion may outlive a key rotation by
 * those 30 s; the retired key stays in the JWKS far longer, so upstreams still verify it.
 */
export async function upstreamAssertion(options: {
  readonly keys: SigningKeyRing;
  readonly issuer: string;
  readonly session: RoleSession;
  readonly audience: string;
  readonly nowMs: number;
  readonly memo: Map<string, unknown>;
}): Promise<string> {
  const { keys, session, audience, nowMs, memo } = options;
  const memoized = memoizedAssertion(memo, audience, nowMs);
  if (memoized !== undefined) return memoized;
  const now = Math.floor(nowMs / 1000);
  const key = await keys.currentKey();

  const exp = Math.min(now + ASSERTION_LIFETIME_SECONDS, session.expiresAt);
  const jwt = await new SignJWT({
    role: session.roleArn,
    sid: session.id,
    idp: session.provider,
    fsub: session.subject,
    tags: session.tags,
    mfa: session.mfa,
    ...(session.sourceIdentity === undefined ? {} : { srcid: session.sourceIdentity }),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ASSERTION_TYPE })
    .setIssuer(options.issuer)
    .setSubject(session.principalArn)
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(key.privateKey);
  // Only a handful of hosts per session; the memo dies with the cache entry.
  if (memo.size >= 16) memo.clear();
  memo.set(`assertion:${audience}`, { jwt, expiresAt: exp });
  return jwt;
}

/** The memoized assertion for `audience` while it still has 30 s to live: the synchronous fast path. */
export function memoizedAssertion(
  memo: Map<string, unknown>,
  audience: string,
  nowMs: number,
): string | undefined {
  const memoized = memo.get(`assertion:${audience}`) as MemoizedAssertion | undefined;
  return memoized !== undefined &&
    memoized.expiresAt - Math.floor(nowMs / 1000) >= REUSE_MIN_REMAINING_SECONDS
    ? memoized.jwt
    : undefined;
}
