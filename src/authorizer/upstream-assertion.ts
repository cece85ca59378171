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
  readonly kid: string;
  readonly expiresAt: number;
}

/**
 * The 60-second JWT for the upstream at `audience` (the route's host), signed with the current key.
 * One per session and audience is memoized in `memo` and reused while it has 30 s left and the signing key
 * is still current: signing on every request would cost more than the whole decision.
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
  const key = await keys.currentKey();
  const now = Math.floor(nowMs / 1000);
  const memoKey = `assertion:${audience}`;
  const memoized = memo.get(memoKey) as MemoizedAssertion | undefined;
  if (
    memoized !== undefined &&
    memoized.kid === key.kid &&
    memoized.expiresAt - now >= REUSE_MIN_REMAINING_SECONDS
  )
    return memoized.jwt;

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
  memo.set(memoKey, { jwt, kid: key.kid, expiresAt: exp });
  return jwt;
}
