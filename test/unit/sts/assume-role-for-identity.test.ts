import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorizeSession } from '../../../src/roles/index.js';
import { roleIdFor } from '../../../src/sessions/index.js';
import { ARN, githubIdentity, openSts, samlIdentity, T0, type StsHarness } from './sts-fixtures.js';

let h: StsHarness;
beforeEach(async () => {
  h = await openSts();
});
afterEach(async () => {
  await h.close();
});

async function refusal(run: () => Promise<unknown>): Promise<{ code: string; detail: string }> {
  try {
    await run();
  } catch (error) {
    const { code, detail } = error as { code: string; detail: string };
    return { code, detail };
  }
  throw new Error('expected a refusal');
}

describe('a federated identity assumes a role', () => {
  it('answers exactly the SPEC 4.3 shape with AWS-style ids and a seconds-precision expiration', async () => {
    const { response, session, token } = await h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer');
    expect(Object.keys(response).sort()).toEqual(['AssumedRoleUser', 'Credentials', 'PackedPolicySize']);
    expect(Object.keys(response.Credentials).sort()).toEqual([
      'AccessKeyId',
      'Expiration',
      'SecretAccessKey',
      'SessionToken',
    ]);
    expect(response.Credentials.AccessKeyId).toMatch(/^FSIA/);
    expect(response.Credentials.SessionToken).toBe(token);
    expect(response.Credentials.Expiration).toBe('2026-01-01T01:00:00Z');
    expect(response.AssumedRoleUser).toEqual({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
      AssumedRoleId: `${roleIdFor(ARN('role', 'Developer'))}:alice@example.com`,
    });
    expect(typeof response.PackedPolicySize).toBe('number');
    expect(session).toMatchObject({
      roleName: 'Developer',
      provider: 'corp-saml',
      subject: 'alice@example.com',
      chain: 0,
    });
    expect(await h.sessions.verify(token)).toMatchObject({ id: session.id });
  });

  it('records role.assumed with principal, provider, role and session, and never the token', async () => {
    const { session, token } = await h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer', {
      sourceIp: '10.0.0.1',
      requestId: 'req-1',
    });
    expect(h.audit).toHaveLength(1);
    expect(h.audit[0]).toMatchObject({
      event: 'role.assumed',
      outcome: 'success',
      principal: session.principalArn,
      provider: 'corp-saml',
      subject: 'alice@example.com',
      role: 'Developer',
      session: session.id,
      sourceIp: '10.0.0.1',
      requestId: 'req-1',
    });
    expect(JSON.stringify(h.audit)).not.toContain(token);
  });

  it('refuses a role whose trust policy does not allow the identity: AccessDenied, nothing written', async () => {
    const outsider = samlIdentity({ groups: ['sales'] });
    const { code, detail } = await refusal(() => h.sts.assumeRoleForIdentity(outsider, 'Developer'));
    expect(code).toBe('AccessDenied');
    expect(detail).toBe('Not authorized to perform sts:AssumeRoleWithSAML');
    expect(await h.sessionCount()).toBe(0);
    expect(h.audit[0]).toMatchObject({
      event: 'role.refused',
      outcome: 'denied',
      reason: 'AccessDenied',
      role: 'Developer',
      details: { refusal: 'TrustPolicyDenied' },
    });
  });

  it('refuses an unknown role exactly like a refused one, so roles cannot be enumerated', async () => {
    const unknown = await refusal(() => h.sts.assumeRoleForIdentity(samlIdentity(), 'NoSuchRole'));
    const refused = await refusal(() =>
      h.sts.assumeRoleForIdentity(samlIdentity({ groups: [] }), 'Developer'),
    );
    expect(unknown).toEqual(refused);
  });

  it('requires MFA and the it department for Admin', async () => {
    const it = { attributes: { department: ['it'] } };
    expect((await refusal(() => h.sts.assumeRoleForIdentity(samlIdentity(it), 'Admin'))).code).toBe(
      'AccessDenied',
    );
    const { session } = await h.sts.assumeRoleForIdentity(samlIdentity({ ...it, mfa: true }), 'Admin');
    expect(session.mfa).toBe(true);
  });

  it('refuses IdP session tags when the trust policy does not allow sts:TagSession', async () => {
    const tagged = samlIdentity({ tags: { team: 'payments' } });
    expect((await refusal(() => h.sts.assumeRoleForIdentity(tagged, 'NoTags'))).code).toBe('AccessDenied');
    expect(h.audit.at(-1)?.details).toMatchObject({ refusal: 'TagSessionDenied' });
    const { session } = await h.sts.assumeRoleForIdentity(tagged, 'Developer');
    expect(session.tags).toEqual({ team: 'payments' });
  });

  it('refuses an IdP source identity when the trust policy does not allow sts:SetSourceIdentity', async () => {
    const withSource = samlIdentity({ sourceIdentity: 'alice' });
    expect((await refusal(() => h.sts.assumeRoleForIdentity(withSource, 'NoTags'))).code).toBe(
      'AccessDenied',
    );
    expect(h.audit.at(-1)?.details).toMatchObject({ refusal: 'SetSourceIdentityDenied' });
    const { response } = await h.sts.assumeRoleForIdentity(withSource, 'Developer');
    expect(response.SourceIdentity).toBe('alice');
  });

  it('refuses invalid IdP tags as IDPRejectedClaim before writing anything', async () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const { code } = await refusal(() => h.sts.assumeRoleForIdentity(samlIdentity({ tags }), 'Developer'));
    expect(code).toBe('IDPRejectedClaim');
    expect(await h.sessionCount()).toBe(0);
  });

  it('honours the AWS SAML Role attribute', async () => {
    const restricted = samlIdentity({ allowedRoleArns: [ARN('role', 'NoTags')] });
    expect((await refusal(() => h.sts.assumeRoleForIdentity(restricted, 'Developer'))).code).toBe(
      'AccessDenied',
    );
    await expect(h.sts.assumeRoleForIdentity(restricted, 'NoTags')).resolves.toBeDefined();
  });

  it('lists the assumable roles for the portal', () => {
    expect(h.sts.assumableRoles(samlIdentity()).map((role) => role.name)).toEqual(['Developer', 'NoTags']);
    expect(h.sts.assumableRoles(githubIdentity()).map((role) => role.name)).toEqual(['CiDeploy']);
    expect(h.sts.assumableRoles(githubIdentity({ attributes: { sub: ['repo:evil/x'] } }))).toEqual([]);
  });
});

describe('role session lifetime', () => {
  it('accepts DurationSeconds within 900 … the role maximum and refuses outside with ValidationError', async () => {
    const ok = await h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer', { durationSeconds: 4 * 3600 });
    expect(ok.session.expiresAt - ok.session.issuedAt).toBe(4 * 3600);
    for (const durationSeconds of [899, 4 * 3600 + 1]) {
      const { code } = await refusal(() =>
        h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer', { durationSeconds }),
      );
      expect(code).toBe('ValidationError');
    }
    expect(await h.sessionCount()).toBe(1);
  });

  it('never outlives the portal session it comes from', async () => {
    const { session } = await h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer', {
      notAfter: T0 + 20 * 60_000,
      portalSessionId: 'portal-1',
    });
    expect(session.expiresAt).toBe(T0 / 1000 + 20 * 60);
    expect(session.portalSessionId).toBe('portal-1');
  });

  it('honours the IdP SessionDuration within the role maximum', async () => {
    const { session } = await h.sts.assumeRoleForIdentity(
      samlIdentity({ sessionDuration: 43_200 }),
      'Developer',
    );
    expect(session.expiresAt - session.issuedAt).toBe(4 * 3600);
  });
});

describe('session policies narrow the session', () => {
  const onlyGet = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'orders:GetOrder', Resource: '*' }],
  });
  const decide = (session: Parameters<typeof authorizeSession>[1], action: string) =>
    authorizeSession(h.catalog, session, { action, resource: 'arn:fedgate:orders:::order/1', now: T0 })
      .decision;

  it('lets later decisions allow only what both the role and the inline Policy allow', async () => {
    const plain = await h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer');
    expect(decide(plain.session, 'orders:DeleteOrder')).toBe('Allow');
    const narrowed = await h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer', { policy: onlyGet });
    expect(narrowed.session.hasSessionPolicy).toBe(true);
    expect(decide(narrowed.session, 'orders:GetOrder')).toBe('Allow');
    expect(decide(narrowed.session, 'orders:DeleteOrder')).toBe('ImplicitDeny');
  });

  it('narrows with managed PolicyArns too', async () => {
    const { session } = await h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer', {
      policyArns: ['arn:fedgate:iam::000000000000:policy/OrdersReadOnly'],
    });
    expect(decide(session, 'orders:ListOrders')).toBe('Allow');
    expect(decide(session, 'orders:DeleteOrder')).toBe('ImplicitDeny');
  });

  it('cannot widen: a session policy allowing more than the role grants nothing extra', async () => {
    const everything = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
    const { session } = await h.sts.assumeRoleForIdentity(samlIdentity(), 'NoTags', { policy: everything });
    expect(decide(session, 'orders:GetOrder')).toBe('Allow');
    expect(decide(session, 'orders:DeleteOrder')).toBe('ImplicitDeny');
  });

  it('refuses a malformed policy with MalformedPolicyDocument and writes nothing', async () => {
    const { code } = await refusal(() =>
      h.sts.assumeRoleForIdentity(samlIdentity(), 'Developer', { policy: '{"Statement": [' }),
    );
    expect(code).toBe('MalformedPolicyDocument');
    expect(await h.sessionCount()).toBe(0);
  });
});
