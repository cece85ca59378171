import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, memoryAuditSink, type AuditRecord } from '../../../src/audit/index.js';
import { gatewayConfigSchema } from '../../../src/config/index.js';
import { DeviceAuthorizationService } from '../../../src/device-authorization/index.js';
import { isFedgateError } from '../../../src/errors/index.js';
import {
  PortalSessionStore,
  createPortalFlow,
  requirePortalCsrfToken,
  stsPortalFederation,
  type PortalFlow,
  type PortalSession,
} from '../../../src/portal/index.js';
import { openSts, samlIdentity, testConfig, type StsHarness } from '../sts/sts-fixtures.js';

const CONTEXT = { sourceIp: '203.0.113.7', requestId: 'req-1' };
const config = gatewayConfigSchema.parse(testConfig());

describe('portal flow: what a verified sign-in leads to', () => {
  let bed: StsHarness;
  let flow: PortalFlow;
  let audit: AuditRecord[];
  let logins: string[];
  let device: DeviceAuthorizationService;
  let assumedForDevice: string[];

  beforeEach(async () => {
    bed = await openSts();
    const sink = memoryAuditSink();
    audit = sink.records;
    logins = [];
    assumedForDevice = [];
    const federation = stsPortalFederation(bed.sts);
    device = new DeviceAuthorizationService({
      store: bed.store,
      publicUrl: () => 'https://gateway.example.test',
      signIns: {
        create: () => Promise.reject(new Error('no device sign-in is redeemed in these tests')),
        get: () => Promise.resolve(undefined),
        end: () => Promise.resolve(0),
      },
      assume: (input) => {
        assumedForDevice.push(input.roleName);
        return federation.assume(input);
      },
      audit: new AuditLog([sink], bed.clock.now),
      now: bed.clock.now,
    });
    flow = createPortalFlow({
      getConfig: () => config,
      getProviders: () => {
        throw new Error('no IdP sign-out in these tests');
      },
      portalSessions: new PortalSessionStore(bed.store, bed.clock.now),
      sessions: bed.sessions,
      federation,
      audit: new AuditLog([sink], bed.clock.now),
      device,
      countLogin: (provider, outcome) => logins.push(`${provider}:${outcome}`),
      now: bed.clock.now,
    });
  });
  afterEach(async () => {
    await bed.close();
  });

  const signIn = async (
    overrides: Partial<Parameters<PortalFlow['finishSignIn']>[0]> = {},
  ): Promise<PortalSession> => {
    const finished = await flow.finishSignIn({
      identity: samlIdentity(),
      returnTo: undefined,
      portalCookie: undefined,
      context: CONTEXT,
      ...overrides,
    });
    if (finished.outcome !== 'signed-in') throw new Error(`expected a sign-in, got ${finished.outcome}`);
    return finished.portal;
  };

  it('no-role: an identity no role trusts gets the no-role result and no portal session', async () => {
    const finished = await flow.finishSignIn({
      identity: samlIdentity({ provider: 'unknown-idp' }),
      returnTo: '/orders',
      portalCookie: undefined,
      refusedTagAttributes: ['department'],
      context: CONTEXT,
    });
    expect(finished).toEqual({
      outcome: 'no-role',
      identity: samlIdentity({ provider: 'unknown-idp' }),
      refusedTagAttributes: ['department'],
    });
    expect(audit.map((record) => record.event)).toEqual(['login.succeeded']);
    expect(logins).toEqual(['unknown-idp:success']);
  });

  it('choose-role: several roles fit, so the person picks one and comes back to return_to afterwards', async () => {
    const finished = await flow.finishSignIn({
      identity: samlIdentity(),
      returnTo: '/orders',
      portalCookie: undefined,
      context: CONTEXT,
    });
    expect(finished.outcome).toBe('signed-in');
    if (finished.outcome !== 'signed-in') return;
    expect(finished.next).toEqual({ step: 'choose-role', returnTo: '/orders' });
    expect(finished.lifetimeSeconds).toBe(config.sessions.portalDuration);
    expect(await flow.session(finished.portal.id)).toMatchObject({ handle: finished.portal.handle });
  });

  it('assume-only-role: exactly one role fits, so its role session is the next step', async () => {
    const finished = await flow.finishSignIn({
      identity: samlIdentity({ groups: [] }),
      returnTo: undefined,
      portalCookie: undefined,
      context: CONTEXT,
    });
    expect(finished.outcome === 'signed-in' && finished.next).toEqual({
      step: 'assume-only-role',
      roleName: 'NoTags',
      returnTo: undefined,
    });
  });

  it('device-verification: a sign-in started from the device page goes back to it, whatever the roles', async () => {
    const finished = await flow.finishSignIn({
      identity: samlIdentity({ groups: [] }),
      returnTo: '/device?user_code=ABCD-EFGH',
      portalCookie: undefined,
      context: CONTEXT,
    });
    expect(finished.outcome === 'signed-in' && finished.next).toEqual({
      step: 'device-verification',
      returnTo: '/device?user_code=ABCD-EFGH',
    });
  });

  it('session-fixation: a new sign-in ends the portal session the browser held when it started, even without its cookie', async () => {
    const first = await signIn();
    await flow.rememberSignInStart(first.id, 'binding-1', 900);
    // The IdP's cross-site POST arrives without the portal cookie, with the sign-in's binding cookie.
    const second = await signIn({ browserBinding: 'binding-1' });
    expect(await flow.session(first.id)).toBeUndefined();
    expect(await flow.session(second.id)).toBeDefined();
    expect(audit.find((record) => record.event === 'portal.logout')).toMatchObject({
      subject: first.identity.subject,
      details: { revokedSessions: 0, reason: 'new-sign-in' },
    });
  });

  it('a role session for the browser: expiry in epoch seconds, the same instant as the STS answer', async () => {
    const portal = await signIn();
    const credential = await flow.assume(portal, 'Developer', undefined, CONTEXT);
    const session = await bed.sessions.verify(credential.token);
    expect(credential.expiresAt).toBe(session.expiresAt);
    expect(credential.expiresAt).toBe(bed.clock.now() / 1000 + 3600);
    expect(credential.response.Credentials.Expiration).toBe(
      new Date(credential.expiresAt * 1000).toISOString().replace('.000Z', 'Z'),
    );
    expect(session.portalSessionId).toBe(portal.handle);
  });

  it('outliving the portal session: a role session minted near its end ends with it', async () => {
    const portal = await signIn();
    bed.clock.advance((config.sessions.portalDuration - 600) * 1000);
    const credential = await flow.assume(portal, 'Developer', undefined, CONTEXT);
    expect(credential.expiresAt).toBe(portal.expiresAt);
  });

  it('sign-out ends the portal session and every role session minted from it', async () => {
    const portal = await signIn();
    const credential = await flow.assume(portal, 'Developer', undefined, CONTEXT);
    await flow.endSession(portal, CONTEXT);
    expect(await flow.session(portal.id)).toBeUndefined();
    await expect(bed.sessions.verify(credential.token)).rejects.toSatisfy(isFedgateError);
    expect(await flow.activeSession(portal, credential.token)).toBeUndefined();
  });

  const deviceCode = async (): Promise<string> => {
    const started = await device.authorize({ body: { client_id: 'fedgate-cli' } }, CONTEXT);
    return started.user_code;
  };

  it('device code approved for a role that trusts the sign-in: the code is answered, once', async () => {
    const portal = await signIn();
    const userCode = await deviceCode();
    const approve = { decision: 'approve', userCode, roleName: 'Developer' } as const;
    const answer = await flow.answerDeviceCode(portal, approve, CONTEXT);
    expect(answer.outcome).toBe('answered');
    expect(answer.roles.map((role) => role.name)).toContain('Developer');
    expect(await device.pending(userCode)).toBeUndefined();
    const again = await flow.answerDeviceCode(portal, approve, CONTEXT);
    expect(again).toMatchObject({ outcome: 'refused', reason: 'AlreadyAnswered' });
  });

  it('device code approved for a role that does not trust the sign-in: AccessDenied, and the code still waits', async () => {
    const portal = await signIn();
    const userCode = await deviceCode();
    await expect(
      flow.answerDeviceCode(portal, { decision: 'approve', userCode, roleName: 'Auditor' }, CONTEXT),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    expect(await device.pending(userCode)).toMatchObject({ userCode });
    expect(assumedForDevice).toEqual([]);
  });

  it('device code denied, or unknown: denied is answered, an unknown code is refused as UnknownUserCode', async () => {
    const portal = await signIn();
    const userCode = await deviceCode();
    expect(await flow.answerDeviceCode(portal, { decision: 'deny', userCode }, CONTEXT)).toMatchObject({
      outcome: 'answered',
    });
    expect(
      await flow.answerDeviceCode(portal, { decision: 'deny', userCode: 'BCDF-GHJK' }, CONTEXT),
    ).toMatchObject({ outcome: 'refused', reason: 'UnknownUserCode' });
  });

  it("IdP logout: the subject's portal and role sessions all end, audited as IdpLogout", async () => {
    const portal = await signIn();
    const credential = await flow.assume(portal, 'Developer', undefined, CONTEXT);
    expect(await flow.activeSession(portal, credential.token)).toMatchObject({ roleName: 'Developer' });
    bed.clock.advance(1000);
    await flow.subjectSignedOut('corp-saml', portal.identity.subject, CONTEXT);
    expect(await flow.session(portal.id)).toBeUndefined();
    await expect(bed.sessions.verify(credential.token)).rejects.toSatisfy(isFedgateError);
    expect(audit.at(-1)).toMatchObject({ event: 'session.revoked', reason: 'IdpLogout' });
  });
});

describe('portal flow: the CSRF token of a portal session', () => {
  const portal = { csrfToken: 'c'.repeat(43) } as PortalSession;

  it.each([
    ['a forged token', 'd'.repeat(43)],
    ['a shorter token', 'c'.repeat(42)],
    ['no token', undefined],
    ['a token sent as a list', ['c'.repeat(43)]],
  ])('csrf-forged: %s is refused with CsrfTokenInvalid', (_name, presented) => {
    expect(() => requirePortalCsrfToken(portal, presented)).toThrow(
      expect.objectContaining({ code: 'CsrfTokenInvalid' }),
    );
  });

  it('the session’s own token passes', () => {
    expect(() => requirePortalCsrfToken(portal, 'c'.repeat(43))).not.toThrow();
  });
});
