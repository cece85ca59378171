import type { RoleSession, RoleSessionInput } from './role-session.js';
import { DEFAULT_SESSION_AUDIENCE } from './session-service.js';
import { assumedRoleArnFor, roleArnFor } from './session-arns.js';

/** What an unstored session is built from: a session's own fields, without the duration an issued one needs. */
export type UnstoredSessionInput = Omit<RoleSessionInput, 'durationSeconds' | 'derivedFrom' | 'audience'> & {
  readonly audience?: string;
};

/**
 * A role session that is evaluated but never stored nor issued: what an identity would be as that role, for a
 * policy simulation or before a token exchange decides. It holds no credential, and it expires as it is made.
 */
export function unstoredSession(
  input: UnstoredSessionInput,
  scope: { readonly partition: string; readonly account: string },
  now: number,
  id: string,
): RoleSession {
  const issuedAt = Math.floor(now / 1000);
  return {
    ...input,
    id,
    audience: input.audience ?? DEFAULT_SESSION_AUDIENCE,
    roleArn: roleArnFor(scope.partition, scope.account, input.roleName),
    principalArn: assumedRoleArnFor(scope.partition, scope.account, input.roleName, input.sessionName),
    accessKeyId: '',
    issuedAt,
    expiresAt: issuedAt,
  };
}
