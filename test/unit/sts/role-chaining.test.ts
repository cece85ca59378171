import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FederatedIdentity } from '../../../src/federation/index.js';
import { openSts, samlIdentity, T0, testConfig, type StsHarness } from './sts-fixtures.js';

let h: StsHarness;
beforeEach(async () => {
  h = await openSts();
});
afterEach(async () => {
  await h.close();
});

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  throw new Error('expected a refusal');
}

async function developerToken(overrides: Partial<FederatedIdentity> = {}): Promise<string> {
  return (await h.sts.assumeRoleForIdentity(samlIdentity(overrides), 'Developer')).token;
}

describe('role chaining (POST /sts/assume-role)', () => {
  it('issues a chained session when the caller may sts:AssumeRole the target and the target trusts the caller', async () => {
    const caller = await developerToken();
    const response = await h.sts.assumeRole(caller, { RoleName: 'Auditor', RoleSessionName: 'audit-1' });
    expect(response.AssumedRoleUser.Arn).toBe('arn:fedgate:sts::000000000000:assumed-role/Auditor/audit-1');
    const session = await h.sessions.verify(response.Credentials.SessionToken);
    const parent = await h.sessions.verify(caller);
    expect(session).toMatchObject({
      chain: 1,
      parentSessionId: parent.id,
      provider: 'corp-saml',
      subject: 'alice@example.com',
    });
  });

  it('accepts the target by RoleArn as well as RoleName', async () => {
    const caller = await developerToken();
    const response = await h.sts.assumeRole(caller, {
      RoleArn: 'arn:fedgate:iam::000000000000:role/Auditor',
      RoleSessionName: 'audit-1',
    });
    expect(response.AssumedRoleUser.Arn).toContain('assumed-role/Auditor/');
  });

  it("refuses when the target's trust policy names the account and the caller's own policies do not allow sts:AssumeRole", async () => {
    const admin = (
      await h.sts.assumeRoleForIdentity(
        samlIdentity({ mfa: true, attributes: { department: ['it'] } }),
        'Admin',
      )
    ).token;
    expect(
      await codeOf(() => h.sts.assumeRole(admin, { RoleName: 'Ledger', RoleSessionName: 'ledger' })),
    ).toBe('AccessDenied');
    expect(h.audit.at(-1)?.details).toMatchObject({ refusal: 'CallerNotAllowed' });
  });

  it("a trust policy naming the caller's role ARN needs no sts:AssumeRole Allow from the caller (issue 13, rule 9)", async () => {
    const admin = (
      await h.sts.assumeRoleForIdentity(
        samlIdentity({ mfa: true, attributes: { department: ['it'] } }),
        'Admin',
      )
    ).token;
    const response = await h.sts.assumeRole(admin, { RoleName: 'Vault', RoleSessionName: 'vault' });
    expect(response.AssumedRoleUser.Arn).toBe('arn:fedgate:sts::000000000000:assumed-role/Vault/vault');
  });

  it("refuses when the target's trust policy does not name the caller, even though the caller may sts:AssumeRole", async () => {
    const caller = await developerToken();
    expect(
      await codeOf(() => h.sts.assumeRole(caller, { RoleName: 'Vault', RoleSessionName: 'vault' })),
    ).toBe('AccessDenied');
    expect(h.audit.at(-1)?.details).toMatchObject({ refusal: 'TrustPolicyDenied' });
    expect((await h.sessions.list()).map((s) => s.roleName)).toEqual(['Developer']);
  });

  it('caps a chained session at one hour, whatever the role maximum and the default duration', async () => {
    await h.close();
    h = await openSts({
      config: testConfig({ sessions: { defaultDuration: '2h', chainedMaxDuration: '1h' } }),
    });
    const caller = await developerToken();
    expect((await h.sessions.verify(caller)).expiresAt - T0 / 1000).toBe(7200);
    const byDefault = await h.sts.assumeRole(caller, { RoleName: 'LongAuditor', RoleSessionName: 'long' });
    const session = await h.sessions.verify(byDefault.Credentials.SessionToken);
    expect(session.expiresAt - session.issuedAt).toBe(3600);
    expect(
      await codeOf(() =>
        h.sts.assumeRole(caller, { RoleName: 'LongAuditor', RoleSessionName: 'long', DurationSeconds: 7200 }),
      ),
    ).toBe('ValidationError');
  });

  it('carries the transitive tags and drops the others', async () => {
    const caller = await developerToken({
      tags: { team: 'payments', desk: '4' },
      transitiveTagKeys: ['team'],
    });
    const response = await h.sts.assumeRole(caller, {
      RoleName: 'Auditor',
      RoleSessionName: 'audit',
      Tags: [{ Key: 'ticket', Value: 'T-1' }],
    });
    const session = await h.sessions.verify(response.Credentials.SessionToken);
    expect(session.tags).toEqual({ team: 'payments', ticket: 'T-1' });
    expect(session.transitiveTagKeys).toEqual(['team']);
  });

  it('refuses a chained request that changes a transitive tag', async () => {
    const caller = await developerToken({ tags: { team: 'payments' }, transitiveTagKeys: ['team'] });
    expect(
      await codeOf(() =>
        h.sts.assumeRole(caller, {
          RoleName: 'Auditor',
          RoleSessionName: 'audit',
          Tags: [{ Key: 'Team', Value: 'red' }],
        }),
      ),
    ).toBe('ValidationError');
    expect(await h.sessionCount()).toBe(1);
  });

  it('carries the source identity and refuses a request that changes it', async () => {
    const caller = await developerToken({ sourceIdentity: 'alice' });
    const kept = await h.sts.assumeRole(caller, { RoleName: 'Auditor', RoleSessionName: 'audit' });
    expect(kept.SourceIdentity).toBe('alice');
    const same = await h.sts.assumeRole(caller, {
      RoleName: 'Auditor',
      RoleSessionName: 'audit',
      SourceIdentity: 'alice',
    });
    expect(same.SourceIdentity).toBe('alice');
    expect(
      await codeOf(() =>
        h.sts.assumeRole(caller, {
          RoleName: 'Auditor',
          RoleSessionName: 'audit',
          SourceIdentity: 'mallory',
        }),
      ),
    ).toBe('ValidationError');
  });

  it('needs sts:SetSourceIdentity in the target trust policy to carry a source identity', async () => {
    const caller = await developerToken({ sourceIdentity: 'alice' });
    expect(
      await codeOf(() => h.sts.assumeRole(caller, { RoleName: 'LongAuditor', RoleSessionName: 'long' })),
    ).toBe('AccessDenied');
    expect(h.audit.at(-1)?.details).toMatchObject({ refusal: 'SetSourceIdentityDenied' });
  });

  it('needs sts:TagSession in the target trust policy to pass tags', async () => {
    const caller = await developerToken();
    expect(
      await codeOf(() =>
        h.sts.assumeRole(caller, {
          RoleName: 'LongAuditor',
          RoleSessionName: 'long',
          Tags: [{ Key: 'k', Value: 'v' }],
        }),
      ),
    ).toBe('AccessDenied');
    expect(h.audit.at(-1)?.details).toMatchObject({ refusal: 'TagSessionDenied' });
  });

  it('needs sts:TagSession in the caller policies too when passing tags', async () => {
    const auditor = (
      await h.sts.assumeRole(await developerToken(), { RoleName: 'Auditor', RoleSessionName: 'audit' })
    ).Credentials.SessionToken;
    // Auditor's own policy allows sts:AssumeRole on * but not sts:TagSession: the caller check refuses first.
    expect(
      await codeOf(() =>
        h.sts.assumeRole(auditor, {
          RoleName: 'Auditor',
          RoleSessionName: 'again',
          Tags: [{ Key: 'k', Value: 'v' }],
        }),
      ),
    ).toBe('AccessDenied');
    expect(h.audit.at(-1)?.details).toMatchObject({ refusal: 'CallerTagSessionDenied' });
  });

  it('refuses a revoked caller credential and writes nothing', async () => {
    const caller = await developerToken();
    await h.sts.revoke(caller, {});
    expect(
      await codeOf(() => h.sts.assumeRole(caller, { RoleName: 'Auditor', RoleSessionName: 'audit' })),
    ).toBe('InvalidToken');
    expect(await h.sessionCount()).toBe(0);
  });

  it("audits a revoked caller's refusal with catalogue reasons only, never the session service's log text", async () => {
    const caller = await developerToken();
    await h.sts.revoke(caller, {});
    await codeOf(() => h.sts.assumeRole(caller, { RoleName: 'Auditor', RoleSessionName: 'audit' }));
    const refused = h.audit.at(-1);
    expect(refused).toMatchObject({ event: 'role.refused', outcome: 'failure', reason: 'InvalidToken' });
    expect(refused?.details).toEqual({ action: 'sts:AssumeRole' });
  });

  it('refuses an expired caller credential', async () => {
    const caller = await developerToken();
    h.clock.advance(3601_000);
    expect(
      await codeOf(() => h.sts.assumeRole(caller, { RoleName: 'Auditor', RoleSessionName: 'audit' })),
    ).toBe('ExpiredToken');
  });
});

describe('STS input validation', () => {
  it.each([
    ['a missing RoleSessionName', { RoleName: 'Auditor' }],
    ['a one-character RoleSessionName', { RoleName: 'Auditor', RoleSessionName: 'a' }],
    ['a RoleSessionName with a space', { RoleName: 'Auditor', RoleSessionName: 'a b' }],
    [
      'both RoleArn and RoleName',
      { RoleName: 'Auditor', RoleArn: 'arn:fedgate:iam::000000000000:role/Auditor', RoleSessionName: 'ab' },
    ],
    ['neither RoleArn nor RoleName', { RoleSessionName: 'ab' }],
    ['an unknown field', { RoleName: 'Auditor', RoleSessionName: 'ab', DurationSecond: 900 }],
    [
      '51 tags',
      {
        RoleName: 'Auditor',
        RoleSessionName: 'ab',
        Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })),
      },
    ],
    ['a fractional DurationSeconds', { RoleName: 'Auditor', RoleSessionName: 'ab', DurationSeconds: 1000.5 }],
  ])('refuses %s with ValidationError', async (_name, body) => {
    const caller = await developerToken();
    expect(await codeOf(() => h.sts.assumeRole(caller, body))).toBe('ValidationError');
    expect(await h.sessionCount()).toBe(1);
  });
});
