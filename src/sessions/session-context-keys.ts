import { createHash } from 'node:crypto';
import { base32 } from './access-key.js';
import type { RoleSession } from './role-session.js';
import { accountOfArn } from './session-arns.js';

/**
 * The unique id of a role, as AWS's `AROA…`: `FROA` + 17 characters derived from the role ARN, so every
 * instance computes the same id without storing it.
 */
export function roleIdFor(roleArn: string): string {
  let id = ROLE_IDS.get(roleArn);
  if (id === undefined) {
    id = `FROA${base32(createHash('sha256').update(roleArn, 'utf8').digest()).slice(0, 17)}`;
    // Role ARNs come from configuration, so the memo stays small; the cap only guards against misuse.
    if (ROLE_IDS.size >= ROLE_ID_MEMO_LIMIT) ROLE_IDS.clear();
    ROLE_IDS.set(roleArn, id);
  }
  return id;
}

const ROLE_ID_MEMO_LIMIT = 10_000;
const ROLE_IDS = new Map<string, string>();

/** `<roleId>:<sessionName>`, AWS's `AssumedRoleId` and `aws:userid` of a role session. */
export function assumedRoleIdFor(session: Pick<RoleSession, 'roleArn' | 'sessionName'>): string {
  return `${roleIdFor(session.roleArn)}:${session.sessionName}`;
}

/**
 * The principal's context keys at authorization (SPEC 7.5), as AWS sets them for an assumed-role session:
 * `aws:PrincipalArn` is the role ARN, `aws:username` is absent, `aws:MultiFactorAuthAge` only with MFA.
 * `now` is epoch ms. Every key but `aws:MultiFactorAuthAge` is fixed for a session, so those are built once per
 * session object (the authorizer decides for the same cached session object again and again) and shared, frozen.
 */
export function sessionContextKeys(session: RoleSession, now: number): Readonly<Record<string, string>> {
  let keys = FIXED_KEYS.get(session);
  if (keys === undefined) {
    keys = Object.freeze(fixedContextKeys(session));
    FIXED_KEYS.set(session, keys);
  }
  if (!session.mfa || session.authTime === undefined) return keys;
  return {
    ...keys,
    'aws:MultiFactorAuthAge': String(Math.max(0, Math.floor(now / 1000) - session.authTime)),
  };
}

/** The keys of a session that do not change with the clock, per session object (collected with it). */
const FIXED_KEYS = new WeakMap<RoleSession, Readonly<Record<string, string>>>();

function fixedContextKeys(session: RoleSession): Record<string, string> {
  const keys: Record<string, string> = {
    'aws:PrincipalArn': session.roleArn,
    'aws:PrincipalAccount': accountOfArn(session.roleArn),
    'aws:PrincipalType': 'AssumedRole',
    'aws:userid': assumedRoleIdFor(session),
    'aws:FederatedProvider': session.provider,
    'aws:MultiFactorAuthPresent': session.mfa ? 'true' : 'false',
    'aws:TokenIssueTime': isoSeconds(session.issuedAt),
  };
  if (session.sourceIdentity !== undefined) keys['aws:SourceIdentity'] = session.sourceIdentity;
  for (const [key, value] of Object.entries(session.tags)) keys[`aws:PrincipalTag/${key}`] = value;
  return keys;
}

let lastSecond = Number.NaN;
let lastIso = '';

/**
 * An epoch second in ISO 8601 without milliseconds, AWS's timestamp form (`aws:CurrentTime`, `aws:TokenIssueTime`,
 * STS and Roles Anywhere expirations); the last answer is kept, as hot-path callers ask for the same second.
 */
export function isoSeconds(epochSeconds: number): string {
  if (epochSeconds !== lastSecond) {
    lastIso = new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = epochSeconds;
  }
  return lastIso;
}
