import { unstoredSession, type RoleSession } from '../sessions/index.js';

/**
 * A session of the role that exists only for this simulation: no tags, no MFA, no session policy; the
 * caller states tags, MFA and the rest through the request context, which the decision applies last.
 */
export function simulatedSession(
  roleName: string,
  sessionName: string,
  config: { readonly partition: string; readonly account: string },
  now: number,
): RoleSession {
  return unstoredSession(
    {
      roleName,
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
    },
    config,
    now,
    'simulation',
  );
}
