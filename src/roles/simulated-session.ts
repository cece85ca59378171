import type { RoleSession } from '../sessions/index.js';

/**
 * A session of the role that exists only for this simulation: no tags, no MFA, no session policy; the
 * caller states tags, MFA and the rest through the request context, which the decision applies last.
 */
export function simulatedSession(
  roleArn: string,
  roleName: string,
  sessionName: string,
  config: { readonly partition: string; readonly account: string },
  now: number,
): RoleSession {
  const issuedAt = Math.floor(now / 1000);
  return {
    id: 'simulation',
    roleName,
    roleArn,
    principalArn: `arn:${config.partition}:sts::${config.account}:assumed-role/${roleName}/${sessionName}`,
    sessionName,
    provider: 'simulation',
    subject: sessionName,
    tags: {},
    transitiveTagKeys: [],
    mfa: false,
    amr: [],
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    accessKeyId: 'simulation',
    issuedAt,
    expiresAt: issuedAt + 3600,
  };
}
