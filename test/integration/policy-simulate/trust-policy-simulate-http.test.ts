/**
 * Issue 13: `POST /policy/simulate` takes the same `trustPolicy` member as the CLI and answers the role-assumption
 * decision in the same output shape, for callers allowed fedgate:SimulateCustomPolicy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleSessionInput } from '../../../src/sessions/index.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

const V = '2012-10-17';
const ROLE = 'arn:fedgate:iam::000000000000:role/Auditor';
const CALLER = 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice';

let gateway: GatewayFixture;
beforeAll(async () => {
  const trust = {
    Version: V,
    Statement: [
      { Effect: 'Allow', Principal: { Federated: 'corp' }, Action: 'sts:AssumeRoleWithWebIdentity' },
    ],
  };
  gateway = await startGatewayFixture({
    config: {
      roles: [
        {
          name: 'PolicyAdmin',
          trustPolicy: trust,
          inlinePolicies: {
            Simulate: {
              Version: V,
              Statement: [{ Effect: 'Allow', Action: 'fedgate:SimulateCustomPolicy', Resource: '*' }],
            },
          },
        },
        { name: 'Nobody', trustPolicy: trust },
      ],
    },
  });
});
afterAll(async () => {
  await gateway?.close();
});

async function tokenFor(roleName: string): Promise<string> {
  const input: RoleSessionInput = {
    roleName,
    sessionName: 'admin@example.com',
    provider: 'corp',
    subject: 'admin@example.com',
    tags: {},
    transitiveTagKeys: [],
    mfa: false,
    amr: ['pwd'],
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    durationSeconds: 900,
  };
  return (await gateway.gateway.sessions.issue(input)).token;
}

async function simulateOver(token: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${gateway.url}/policy/simulate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const chainTrust = (principal: string) => ({
  Version: V,
  Statement: [{ Sid: 'Chain', Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
});

describe('POST /policy/simulate with a trustPolicy', () => {
  it('a trust policy naming the calling session allows chaining with no Allow of the caller (same shape as the CLI)', async () => {
    const answer = await simulateOver(await tokenFor('PolicyAdmin'), {
      trustPolicy: chainTrust(CALLER),
      principal: CALLER,
      action: 'sts:AssumeRole',
      resource: ROLE,
      identityPolicies: [],
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      decision: 'Allow',
      matchedStatements: [{ policy: 'trustPolicy', sid: 'Chain', effect: 'Allow' }],
      missingContextKeys: [],
    });
  });

  it("a trust policy naming the account needs the caller's own Allow for sts:AssumeRole", async () => {
    const answer = await simulateOver(await tokenFor('PolicyAdmin'), {
      trustPolicy: chainTrust('000000000000'),
      principal: CALLER,
      action: 'sts:AssumeRole',
      resource: ROLE,
      identityPolicies: [],
    });
    expect(answer.status).toBe(200);
    expect((answer.body as { decision: string }).decision).toBe('ImplicitDeny');
  });

  it('a caller without fedgate:SimulateCustomPolicy is refused', async () => {
    const answer = await simulateOver(await tokenFor('Nobody'), {
      trustPolicy: chainTrust(CALLER),
      principal: CALLER,
      action: 'sts:AssumeRole',
      resource: ROLE,
    });
    expect(answer.status).toBe(403);
  });
});
