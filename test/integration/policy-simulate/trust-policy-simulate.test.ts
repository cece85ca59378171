import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { createPolicySimulateCommand } from '../../../src/cli/policy-simulate-command.js';

/*
 * Issue 13: `fedgate policy simulate` answers a role assumption when the request carries a `trustPolicy`, in the
 * same output shape, the caller's own policies taking part for role chaining exactly as the STS decides.
 */

async function run(args: string[], stdin: string) {
  const input = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  input.end(stdin);
  const io: CliIo = { stdin: input, stdout, stderr, env: {}, cwd: process.cwd() };
  const code = await createPolicySimulateCommand(async () => {
    throw new Error('no config expected');
  })(args, io);
  return { code, out };
}

const V = '2012-10-17';
const ROLE = 'arn:fedgate:iam::000000000000:role/Auditor';
const CALLER = 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice';
const webIdentityTrust = {
  Version: V,
  Statement: [
    {
      Sid: 'Ci',
      Effect: 'Allow',
      Principal: { Federated: 'arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/A' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringLike: { 'oidc.example.com/id/A:sub': 'repo:acme/*' } },
    },
  ],
};
const chainTrust = (principal: unknown) => ({
  Version: V,
  Statement: [{ Sid: 'Chain', Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
});

describe('fedgate policy simulate with a trustPolicy', () => {
  it('decides a web-identity assumption by the trust policy, in the usual output shape', async () => {
    const { code, out } = await run(
      [],
      JSON.stringify({
        trustPolicy: webIdentityTrust,
        principal: 'arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/A',
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: ROLE,
        context: { 'oidc.example.com/id/A:sub': 'repo:acme/api' },
      }),
    );
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      decision: 'Allow',
      matchedStatements: [{ policy: 'trustPolicy', sid: 'Ci', effect: 'Allow' }],
      missingContextKeys: [],
    });
  });

  it('--jsonl: role chaining, where the trust policy naming the session needs no caller Allow but naming the account does', async () => {
    const lines = [
      { trustPolicy: chainTrust(CALLER), principal: CALLER, action: 'sts:AssumeRole', resource: ROLE },
      {
        trustPolicy: chainTrust('000000000000'),
        principal: CALLER,
        action: 'sts:AssumeRole',
        resource: ROLE,
        identityPolicies: [],
      },
      {
        trustPolicy: chainTrust('000000000000'),
        principal: CALLER,
        action: 'sts:AssumeRole',
        resource: ROLE,
        identityPolicies: [
          { Version: V, Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE }] },
        ],
      },
      // another provider on the same host is not named by provider A's ARN
      {
        trustPolicy: webIdentityTrust,
        principal: 'arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/B',
        action: 'sts:AssumeRoleWithWebIdentity',
        context: { 'oidc.example.com/id/A:sub': 'repo:acme/api' },
      },
      // caller policies belong to an AWS caller only
      {
        trustPolicy: webIdentityTrust,
        principal: { type: 'Federated', id: 'ci' },
        action: 'sts:AssumeRoleWithWebIdentity',
        identityPolicies: [],
      },
    ];
    const { code, out } = await run(['--jsonl'], lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(code).toBe(0);
    const results = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(results.map((r) => r.decision ?? (r.error as { code: string }).code)).toEqual([
      'Allow',
      'ImplicitDeny',
      'Allow',
      'ImplicitDeny',
      'ValidationError',
    ]);
    expect(results[1]).toMatchObject({ blockedBy: 'identity' });
    expect(results[3]).toMatchObject({ blockedBy: 'trust' });
    expect(results[4]).toMatchObject({ error: { path: 'identityPolicies' } });
  });

  it('an invalid trust policy is a MalformedPolicyDocument with its path', async () => {
    const { code, out } = await run(
      [],
      JSON.stringify({
        trustPolicy: {
          Version: V,
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }],
        },
        principal: CALLER,
        action: 'sts:AssumeRole',
      }),
    );
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({
      error: { code: 'MalformedPolicyDocument', path: 'trustPolicy.Statement[0].Resource' },
    });
  });
});
