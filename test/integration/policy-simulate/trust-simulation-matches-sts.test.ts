import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  gatewayConfigSchema,
  type GatewayConfig,
  type GatewayConfigInput,
} from '../../../src/config/index.js';
import type { FederatedIdentity } from '../../../src/federation/index.js';
import { simulate } from '../../../src/policy/index.js';
import { rolePolicyDocuments } from '../../../src/roles/index.js';
import { ARN, openSts, samlIdentity, testConfig, type StsHarness } from '../../unit/sts/sts-fixtures.js';

/*
 * Issue 13, "Trust-policy simulation": a simulation with a `trustPolicy` answers the role-assumption decision
 * exactly as the STS computes it. Each row chains from a real session minted by the STS to a configured role,
 * asks the STS (POST /sts/assume-role's service) and asks `simulate` with the target's trust policy and the
 * caller's configured role as its own policies; the two must agree, Allow or not.
 */

const CALLERS: Record<string, Partial<FederatedIdentity>> = {
  Developer: {},
  Admin: { mfa: true, attributes: { department: ['it'] } },
  Bounded: {},
};
const TARGETS = ['Auditor', 'LongAuditor', 'Vault', 'Ledger', 'Developer', 'NoTags', 'ForRole', 'ForSession'];
const BOUNDED_SESSION = 'arn:fedgate:sts::000000000000:assumed-role/Bounded/alice@example.com';

/** The STS fixtures plus a caller whose boundary does not allow sts:AssumeRole, and two roles that trust it. */
function chainConfig(): GatewayConfigInput {
  const base = testConfig();
  const developer = base.roles?.find((role) => role.name === 'Developer');
  const trusting = (name: string, principal: string) => ({
    name,
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
    },
    inlinePolicies: {},
  });
  return {
    ...base,
    roles: [
      ...(base.roles ?? []),
      { ...developer!, name: 'Bounded', permissionsBoundary: 'OrdersReadOnly' },
      // Naming the role ARN is capped by the caller's boundary; naming the session ARN is not (rule 9).
      trusting('ForRole', ARN('role', 'Bounded')),
      trusting('ForSession', BOUNDED_SESSION),
    ],
  };
}

let h: StsHarness;
let config: GatewayConfig;
beforeEach(async () => {
  h = await openSts({ config: chainConfig() });
  config = gatewayConfigSchema.parse(chainConfig());
});
afterEach(async () => {
  await h.close();
});

describe('a trust-policy simulation decides role chaining as the STS does', () => {
  const rows = Object.keys(CALLERS).flatMap((caller) => TARGETS.map((target) => ({ caller, target })));
  it.each(rows)('$caller → $target', async ({ caller, target }) => {
    const minted = await h.sts.assumeRoleForIdentity(samlIdentity(CALLERS[caller]), caller);
    const sts = await h.sts.assumeRole(minted.token, { RoleName: target, RoleSessionName: 'chain' }).then(
      () => 'Allow',
      (error: unknown) => {
        expect(error).toMatchObject({ code: 'AccessDenied' });
        return 'Deny';
      },
    );
    const role = config.roles.find((candidate) => candidate.name === target);
    const simulated = simulate(
      {
        trustPolicy: role?.trustPolicy,
        principal: minted.response.AssumedRoleUser.Arn,
        role: caller,
        action: 'sts:AssumeRole',
        resource: ARN('role', target),
      },
      (name, resource) => rolePolicyDocuments(config, name, resource),
    );
    expect('decision' in simulated, JSON.stringify(simulated)).toBe(true);
    const decision = 'decision' in simulated ? simulated.decision : undefined;
    expect(decision === 'Allow' ? 'Allow' : 'Deny').toBe(sts);
  });

  it('the rows cover both answers, and each case of issue 13 rule 9', async () => {
    const allowed: string[] = [];
    for (const { caller, target } of rows) {
      const minted = await h.sts.assumeRoleForIdentity(samlIdentity(CALLERS[caller]), caller);
      if (caller === 'Bounded') expect(minted.response.AssumedRoleUser.Arn).toBe(BOUNDED_SESSION);
      const ok = await h.sts.assumeRole(minted.token, { RoleName: target, RoleSessionName: 'chain' }).then(
        () => true,
        () => false,
      );
      if (ok) allowed.push(`${caller}→${target}`);
    }
    // Admin → Vault: the trust policy names the caller's role, which has no sts:AssumeRole Allow of its own.
    // Bounded → ForSession: it names the session, past a boundary that does not allow sts:AssumeRole.
    expect(allowed).toEqual(
      expect.arrayContaining(['Developer→Auditor', 'Admin→Vault', 'Bounded→ForSession']),
    );
    // Admin → Ledger: the account, and no Allow of the caller; Bounded → ForRole: the role ARN, capped by the
    // boundary; Developer → Vault: not named at all.
    for (const refused of ['Admin→Ledger', 'Bounded→ForRole', 'Developer→Vault'])
      expect(allowed).not.toContain(refused);
  });
});
