import { KeyObject, randomUUID, sign } from 'node:crypto';
import type { CryptoKey } from 'jose';
import type { RoleSession, SigningAlgorithm, SigningKeyRing } from '../sessions/index.js';

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
  const jwt = signCompactJws(
    { alg: key.alg, kid: key.kid, typ: ASSERTION_TYPE },
    {
      role: session.roleArn,
      sid: session.id,
      idp: session.provider,
      fsub: session.subject,
      tags: session.tags,
      mfa: session.mfa,
      ...(session.sourceIdentity === undefined ? {} : { srcid: session.sourceIdentity }),
      iss: options.issuer,
      sub: session.principalArn,
      aud: audience,
      iat: now,
      nbf: now,
      exp,
      jti: randomUUID(),
    },
    key.privateKey,
  );
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

/**
 * A JWS compact serialization (RFC 7515) signed synchronously with node:crypto. The assertion is signed once per
 * session and upstream every 30 s, in the hot path of the 10,000-session scenario; through WebCrypto (jose's
 * SignJWT) an ES256 signature cost about twice the CPU, plus a thread-pool round trip. Verified by upstreams with
 * any JOSE library (the tests use jose).
 */
function signCompactJws(
  header: { readonly alg: SigningAlgorithm; readonly kid: string; readonly typ: string },
  payload: Record<string, unknown>,
  privateKey: CryptoKey | KeyObject,
): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const key = keyObjectOf(privateKey);
  const signature =
    header.alg === 'ES256'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign(header.alg === 'RS256' ? 'sha256' : null, Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** node:crypto's view of a WebCrypto key, converted once per key (the ring hands out the same object). */
const KEY_OBJECTS = new WeakMap<CryptoKey, KeyObject>();
function keyObjectOf(key: CryptoKey | KeyObject): KeyObject {
  if (key instanceof KeyObject) return key;
  let found = KEY_OBJECTS.get(key);
  if (found === undefined) {
    found = KeyObject.from(key as Parameters<typeof KeyObject.from>[0]);
    KEY_OBJECTS.set(key, found);
  }
  return found;
}
