import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roleIdFor } from '../../../src/sessions/index.js';
import { ARN, openSts, samlIdentity, T0, type StsHarness } from './sts-fixtures.js';

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

const developer = async (subject = 'alice@example.com') =>
  h.sts.assumeRoleForIdentity(samlIdentity({ subject }), 'Developer');
const admin = async () =>
  h.sts.assumeRoleForIdentity(
    samlIdentity({ subject: 'root@example.com', mfa: true, attributes: { department: ['it'] } }),
    'Admin',
  );

describe('caller identity', () => {
  it('names the bearer: assumed-role ARN, <roleId>:<session> and the account', async () => {
    const { token } = await developer();
    expect(await h.sts.callerIdentity(token)).toEqual({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
      UserId: `${roleIdFor(ARN('role', 'Developer'))}:alice@example.com`,
      Account: '000000000000',
    });
  });
});

describe('revocation through the STS API', () => {
  it('revokes the bearer’s own session without any permission', async () => {
    const { token, session } = await developer();
    expect(await h.sts.revoke(token, {})).toEqual({ Revoked: { SessionId: session.id, WasLive: true } });
    expect(await codeOf(() => h.sessions.verify(token))).toBe('InvalidToken');
    expect(h.audit.at(-1)).toMatchObject({
      event: 'session.revoked',
      outcome: 'success',
      session: session.id,
    });
  });

  it('treats the bearer’s own SessionId like no argument', async () => {
    const { token, session } = await developer();
    await h.sts.revoke(token, { SessionId: session.id });
    expect(await codeOf(() => h.sessions.verify(token))).toBe('InvalidToken');
  });

  it('refuses to revoke another session without fedgate:RevokeSessions, and leaves it live', async () => {
    const victim = await developer('bob@example.com');
    const { token } = await developer();
    expect(await codeOf(() => h.sts.revoke(token, { SessionId: victim.session.id }))).toBe('AccessDenied');
    await expect(h.sessions.verify(victim.token)).resolves.toMatchObject({ id: victim.session.id });
    expect(h.audit.at(-1)).toMatchObject({
      event: 'session.revoked',
      outcome: 'denied',
      reason: 'AccessDenied',
    });
  });

  it('revokes another session, a role’s sessions, or a subject’s sessions with fedgate:RevokeSessions', async () => {
    const operator = (await admin()).token;
    const one = await developer('bob@example.com');
    await h.sts.revoke(operator, { SessionId: one.session.id });
    expect(await codeOf(() => h.sessions.verify(one.token))).toBe('InvalidToken');

    const two = await developer('carol@example.com');
    h.clock.advance(2000);
    const result = await h.sts.revoke(operator, { RoleName: 'Developer' });
    expect(result).toEqual({ Revoked: { RoleName: 'Developer', IssuedBefore: '2026-01-01T00:00:03Z' } });
    expect(await codeOf(() => h.sessions.verify(two.token))).toBe('InvalidToken');

    const three = await developer('dave@example.com');
    await h.sts.revoke(operator, { Subject: 'dave@example.com' });
    expect(await codeOf(() => h.sessions.verify(three.token))).toBe('InvalidToken');
    await expect(h.sessions.verify(operator)).resolves.toBeDefined();
  });

  it('revokes only sessions issued before IssuedBefore', async () => {
    const operator = (await admin()).token;
    const early = await developer('early@example.com');
    h.clock.advance(60_000);
    const late = await developer('late@example.com');
    await h.sts.revoke(operator, {
      RoleName: 'Developer',
      IssuedBefore: new Date(T0 + 30_000).toISOString(),
    });
    expect(await codeOf(() => h.sessions.verify(early.token))).toBe('InvalidToken');
    await expect(h.sessions.verify(late.token)).resolves.toBeDefined();
  });

  it('refuses an ambiguous request and a bad time with ValidationError', async () => {
    const operator = (await admin()).token;
    expect(await codeOf(() => h.sts.revoke(operator, { SessionId: 'x', Subject: 'y' }))).toBe(
      'ValidationError',
    );
    expect(
      await codeOf(() => h.sts.revoke(operator, { RoleName: 'Developer', IssuedBefore: 'yesterday' })),
    ).toBe('ValidationError');
    expect(await codeOf(() => h.sts.revoke(operator, { IssuedBefore: 1 }))).toBe('ValidationError');
  });
});
