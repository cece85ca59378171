import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { simulate } from '../../../src/policy/index.js';
import { captureIo } from '../../support/cli-io.js';
import { startAccessBed, type AccessBed } from './access-bed.js';

/*
 * Issue 15: real traffic through STS (AssumeRoleWithWebIdentity with tokens of an in-process OpenID
 * provider) and /authz (as a forward-auth proxy asks), on a clock the test moves across three days; then
 * the reports of the admin API are asserted exactly, and the generated policy is fed back through the
 * policy engine against every request the test made.
 */

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const order = (path: string): string => `arn:fedgate:orders:::order/${path}`;

let bed: AccessBed;
let admin: string;
const today = Math.floor(Date.now() / DAY) * DAY;
const T0 = today - 2 * DAY + 10 * 3_600_000;
const T1 = today + 3_600_000;

/** Every decision the test caused: for feeding the generated policy back through the engine. */
const requests: { action: string; resource: string; method: string; status: number }[] = [];

async function call(
  token: string,
  method: 'GET' | 'DELETE',
  team: string,
  id: string,
  at: number,
): Promise<number> {
  bed.clock.ms = at;
  const status = await bed.authz(token, method, `/orders/${team}/${id}`);
  requests.push({
    action: method === 'GET' ? 'orders:GetOrder' : 'orders:DeleteOrder',
    resource: order(`${team}/${id}`),
    method,
    status,
  });
  return status;
}

beforeAll(async () => {
  bed = await startAccessBed();
  bed.clock.ms = T0;
  const alice = await bed.assume('Developer', 'alice');
  expect(await call(alice, 'GET', 'red', '1', T0 + 1_000)).toBe(200);
  expect(await call(alice, 'GET', 'red', '2', T0 + 2_000)).toBe(200);
  expect(await call(alice, 'GET', 'green', '1', T0 + 3_000)).toBe(403);

  bed.clock.ms = T1;
  const bob = await bed.assume('Developer', 'bob');
  expect(await call(bob, 'GET', 'blue', '7', T1 + 1_000)).toBe(200);
  expect(await call(bob, 'DELETE', 'red', '5', T1 + 2_000)).toBe(200);
  expect(await call(bob, 'DELETE', 'blue', '5', T1 + 3_000)).toBe(403);
  bed.clock.ms = T1 + 4_000;
  const carol = await bed.assume('Auditor', 'carol');
  expect(await call(carol, 'GET', 'green', '9', T1 + 5_000)).toBe(200);
  bed.clock.ms = T1 + 6_000;
  admin = await bed.assume('AccessAdmin', 'root');
  bed.clock.ms = T1 + 7_000;
}, 60_000);

afterAll(async () => {
  await bed?.close();
});

describe('access reports from real traffic', () => {
  it('last-accessed: per service and action, exact times and counts, resource groups and "never used"', async () => {
    const { status, body } = await bed.api(admin, '/access/last-accessed?role=Developer');
    expect(status).toBe(200);
    expect(body).toEqual({
      role: 'Developer',
      roleArn: 'arn:fedgate:iam::000000000000:role/Developer',
      window: {
        from: new Date(today - 399 * DAY).toISOString().slice(0, 10),
        to: iso(today).slice(0, 10),
        days: 400,
      },
      lastAssumed: { at: iso(T1), provider: 'ci', subject: 'bob' },
      sessions: 2,
      actionOverflow: 0,
      services: [
        {
          service: 'orders',
          lastAccessed: iso(T1 + 2_000),
          neverUsed: false,
          allowed: 4,
          denied: 2,
          actions: [
            {
              action: 'orders:DeleteOrder',
              granted: true,
              neverUsed: false,
              lastAllowed: iso(T1 + 2_000),
              lastDenied: iso(T1 + 3_000),
              allowed: 1,
              denied: 1,
              resourceOverflow: 0,
              resources: [
                {
                  resource: order('blue/*'),
                  allowed: 0,
                  denied: 1,
                  lastAllowed: null,
                  lastDenied: iso(T1 + 3_000),
                },
                {
                  resource: order('red/*'),
                  allowed: 1,
                  denied: 0,
                  lastAllowed: iso(T1 + 2_000),
                  lastDenied: null,
                },
              ],
            },
            {
              action: 'orders:GetOrder',
              granted: true,
              neverUsed: false,
              lastAllowed: iso(T1 + 1_000),
              lastDenied: iso(T0 + 3_000),
              allowed: 3,
              denied: 1,
              resourceOverflow: 0,
              resources: [
                {
                  resource: order('blue/*'),
                  allowed: 1,
                  denied: 0,
                  lastAllowed: iso(T1 + 1_000),
                  lastDenied: null,
                },
                {
                  resource: order('green/*'),
                  allowed: 0,
                  denied: 1,
                  lastAllowed: null,
                  lastDenied: iso(T0 + 3_000),
                },
                {
                  resource: order('red/*'),
                  allowed: 2,
                  denied: 0,
                  lastAllowed: iso(T0 + 2_000),
                  lastDenied: null,
                },
              ],
            },
            {
              action: 'orders:ListOrders',
              granted: true,
              neverUsed: true,
              lastAllowed: null,
              lastDenied: null,
              allowed: 0,
              denied: 0,
              resourceOverflow: 0,
              resources: [],
            },
          ],
        },
      ],
    });
  });

  it('last-accessed counts only the window; last times stay (days=1 sees today only)', async () => {
    const { body } = await bed.api(admin, '/access/last-accessed?role=Developer&days=1');
    const report = body as {
      sessions: number;
      services: {
        actions: { action: string; allowed: number; denied: number; lastDenied: string | null }[];
      }[];
    };
    expect(report.sessions).toBe(1);
    const get = report.services[0]?.actions.find((a) => a.action === 'orders:GetOrder');
    expect(get).toMatchObject({ allowed: 1, denied: 0, lastDenied: iso(T0 + 3_000) });
  });

  it('unused: dormant roles, granted actions never used, identity providers without logins', async () => {
    const { status, body } = await bed.api(admin, '/access/unused?days=1');
    expect(status).toBe(200);
    expect(body).toEqual({
      days: 1,
      since: iso(today).slice(0, 10),
      roles: [{ role: 'Dormant', roleArn: 'arn:fedgate:iam::000000000000:role/Dormant', lastAssumed: null }],
      actions: [
        {
          role: 'Developer',
          roleArn: 'arn:fedgate:iam::000000000000:role/Developer',
          unusedActions: ['orders:ListOrders'],
        },
        {
          role: 'Dormant',
          roleArn: 'arn:fedgate:iam::000000000000:role/Dormant',
          unusedActions: [
            'fedgate:ViewAccessReports',
            'orders:DeleteOrder',
            'orders:GetOrder',
            'orders:ListOrders',
            'sts:AssumeRole',
            'sts:ExchangeToken',
          ],
        },
        {
          role: 'AccessAdmin',
          roleArn: 'arn:fedgate:iam::000000000000:role/AccessAdmin',
          unusedActions: ['fedgate:ViewAccessReports'],
        },
      ],
      identityProviders: [{ provider: 'spare', lastLogin: null }],
    });
  });

  it('generate-policy: exact actions, observed resource groups, conditions and denies kept; validates clean', async () => {
    const { status, body } = await bed.api(admin, '/access/generate-policy?role=Developer&days=3');
    expect(status).toBe(200);
    const report = body as { policy: unknown; findings: unknown[]; grantedElsewhere: unknown[] };
    expect(report.findings).toEqual([]);
    expect(report.grantedElsewhere).toEqual([]);
    expect(report.policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Observed1',
          Effect: 'Allow',
          Action: 'orders:DeleteOrder',
          Resource: order('red/*'),
          Condition: { StringEquals: { 'fedgate:RequestMethod': 'DELETE' } },
        },
        {
          Sid: 'Observed2',
          Effect: 'Allow',
          Action: 'orders:GetOrder',
          Resource: [order('blue/*'), order('red/*')],
        },
        { Sid: 'KeptDeny1', Effect: 'Deny', Action: 'orders:DeleteOrder', Resource: order('blue/*') },
      ],
    });
  });

  it('the generated policy, fed back through the engine, allows every observed allowed request of the role and none it denied', async () => {
    const { body } = await bed.api(admin, '/access/generate-policy?role=Developer&days=3');
    const policy = (body as { policy: unknown }).policy;
    const developer = requests.slice(0, 6);
    expect(developer.map((r) => r.status)).toEqual([200, 200, 403, 200, 200, 403]);
    for (const r of developer) {
      const result = simulate({
        identityPolicies: [policy],
        principal: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice',
        action: r.action,
        resource: r.resource,
        context: { 'fedgate:RequestMethod': r.method },
      });
      expect({ ...r, decision: 'decision' in result ? result.decision : result }).toEqual({
        ...r,
        decision: r.status === 200 ? 'Allow' : expect.stringMatching(/Deny$/),
      });
    }
    // And nothing beyond: ListOrders (granted, never used) and another team's orders are not allowed.
    for (const [action, resource] of [
      ['orders:ListOrders', order('red/1')],
      ['orders:GetOrder', order('green/2')],
      ['orders:DeleteOrder', order('blue/1')],
    ] as const) {
      const result = simulate({
        identityPolicies: [policy],
        action,
        resource,
        context: { 'fedgate:RequestMethod': 'DELETE' },
      });
      expect('decision' in result && result.decision).not.toBe('Allow');
    }
  });

  it('needs fedgate:ViewAccessReports: another role gets 403 AccessDenied, no credential 401, bad input 400', async () => {
    bed.clock.ms = T1 + 8_000;
    const developer = await bed.assume('Developer', 'alice');
    const denied = await bed.api(developer, '/access/unused');
    expect(denied.status).toBe(403);
    expect((denied.body as { code: string }).code).toBe('AccessDenied');
    const anonymous = await fetch(`${bed.url}/access/findings`);
    expect(anonymous.status).toBe(401);
    const bad = await bed.api(admin, '/access/unused?days=4000');
    expect(bad.status).toBe(400);
    expect((bad.body as { code: string }).code).toBe('ValidationError');
    const unknown = await bed.api(admin, '/access/last-accessed?role=Nobody');
    expect(unknown.status).toBe(404);
  });

  it('who-can: the CLI --json prints exactly what the API answers', async () => {
    const query =
      '/access/who-can?action=orders:DeleteOrder&resource=arn:fedgate:orders:::order/red/1&context=fedgate:RequestMethod%3DDELETE';
    const api = await bed.api(admin, query);
    expect(api.status).toBe(200);
    const io = captureIo();
    const code = await runCli(
      [
        'access',
        'who-can',
        '--config',
        bed.fixture.configPath,
        '--action',
        'orders:DeleteOrder',
        '--resource',
        'arn:fedgate:orders:::order/red/1',
        '--context',
        'fedgate:RequestMethod=DELETE',
        '--json',
      ],
      io,
    );
    expect(io.stderrText()).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(io.stdoutText())).toEqual(api.body);
    const roles = (api.body as { roles: { role: string; access: string }[] }).roles.map((r) => [
      r.role,
      r.access,
    ]);
    expect(roles).toEqual([
      ['Developer', 'allowed'],
      ['Auditor', 'denied'],
      ['Dormant', 'allowed'],
      ['AccessAdmin', 'denied'],
    ]);
  });
});
