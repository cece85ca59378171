/**
 * Issue 15: who-can is checked against the engine on a table. For each question, every role's answer from
 * `GET /access/who-can` must agree with what a real session of that role gets from the gateway: through
 * `/authz` as a forward-auth proxy asks (which sets `fedgate:RequestMethod` itself) for routed actions, and
 * through `POST /authz/check` with the session's token for the others. The expected table is written out as
 * well, so that agreement on a wrong answer cannot pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccessBed, type AccessBed } from './access-bed.js';

type Access = 'allowed' | 'denied' | 'allowed-with-context';
const ROLES = ['Developer', 'Auditor', 'Dormant', 'AccessAdmin'] as const;
type Role = (typeof ROLES)[number];
const SUBJECT: Record<Role, string> = {
  Developer: 'alice',
  Auditor: 'carol',
  Dormant: 'zed',
  AccessAdmin: 'root',
};

interface WhoCanAnswer {
  roles: {
    role: string;
    access: Access;
    decision: string;
    requiredContext?: Record<string, string>;
    reachableThrough: {
      identityProviders: string[];
      subjects: { operator: string; key: string; values: string[] }[];
    }[];
  }[];
}

interface Row {
  readonly name: string;
  readonly action: string;
  readonly resource: string;
  /** The request through /authz that asks the same question (its method is `fedgate:RequestMethod`). */
  readonly via?: { method: 'GET' | 'DELETE'; path: string };
  /** Context of the who-can question. */
  readonly context?: Record<string, string>;
  readonly expected: Record<Role, Access>;
}

const order = (path: string): string => `arn:fedgate:orders:::order/${path}`;
const REPORT = 'arn:fedgate:fedgate::000000000000:access-report/all';

const TABLE: readonly Row[] = [
  {
    name: 'read a red order',
    action: 'orders:GetOrder',
    resource: order('red/1'),
    via: { method: 'GET', path: '/orders/red/1' },
    context: { 'fedgate:RequestMethod': 'GET' },
    expected: { Developer: 'allowed', Auditor: 'allowed', Dormant: 'allowed', AccessAdmin: 'denied' },
  },
  {
    name: 'read a green order (outside the Developer managed policy)',
    action: 'orders:GetOrder',
    resource: order('green/9'),
    via: { method: 'GET', path: '/orders/green/9' },
    context: { 'fedgate:RequestMethod': 'GET' },
    expected: { Developer: 'denied', Auditor: 'allowed', Dormant: 'allowed', AccessAdmin: 'denied' },
  },
  {
    name: 'delete a red order with DELETE',
    action: 'orders:DeleteOrder',
    resource: order('red/5'),
    via: { method: 'DELETE', path: '/orders/red/5' },
    context: { 'fedgate:RequestMethod': 'DELETE' },
    expected: { Developer: 'allowed', Auditor: 'denied', Dormant: 'allowed', AccessAdmin: 'denied' },
  },
  {
    name: 'delete a blue order (explicit Deny beats the Allow)',
    action: 'orders:DeleteOrder',
    resource: order('blue/5'),
    via: { method: 'DELETE', path: '/orders/blue/5' },
    context: { 'fedgate:RequestMethod': 'DELETE' },
    expected: { Developer: 'denied', Auditor: 'denied', Dormant: 'allowed', AccessAdmin: 'denied' },
  },
  {
    name: 'view access reports (no route: /authz/check)',
    action: 'fedgate:ViewAccessReports',
    resource: REPORT,
    expected: { Developer: 'denied', Auditor: 'denied', Dormant: 'allowed', AccessAdmin: 'allowed' },
  },
  {
    name: 'list blue orders (no route: /authz/check)',
    action: 'orders:ListOrders',
    resource: order('blue/*'),
    expected: { Developer: 'allowed', Auditor: 'denied', Dormant: 'allowed', AccessAdmin: 'denied' },
  },
];

let bed: AccessBed;
const tokens = new Map<Role, string>();
let admin = '';

beforeAll(async () => {
  bed = await startAccessBed();
  for (const role of ROLES) tokens.set(role, await bed.assume(role, SUBJECT[role]));
  admin = tokens.get('AccessAdmin') ?? '';
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

async function whoCan(action: string, resource: string, context: Record<string, string> = {}) {
  const query = new URLSearchParams({ action, resource });
  for (const [key, value] of Object.entries(context)) query.append('context', `${key}=${value}`);
  const answer = await bed.api(admin, `/access/who-can?${query.toString()}`);
  expect(answer.status).toBe(200);
  return answer.body as WhoCanAnswer;
}

/** What a real session of the role gets for the question. */
async function engineDecision(role: Role, row: Row): Promise<'allowed' | 'denied'> {
  const token = tokens.get(role) ?? '';
  if (row.via !== undefined) {
    const status = await bed.authz(token, row.via.method, row.via.path);
    expect([200, 403]).toContain(status);
    return status === 200 ? 'allowed' : 'denied';
  }
  const response = await fetch(`${bed.url}/authz/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, action: row.action, resource: row.resource }),
  });
  expect(response.status).toBe(200);
  const { decision } = (await response.json()) as { decision: string };
  return decision === 'Allow' ? 'allowed' : 'denied';
}

describe('who-can agrees with the decisions real sessions get', () => {
  it.each(TABLE)('$name', async (row) => {
    const report = await whoCan(row.action, row.resource, row.context);
    const answered = Object.fromEntries(report.roles.map((entry) => [entry.role, entry.access]));
    expect(answered).toEqual(row.expected);
    for (const role of ROLES)
      expect([role, await engineDecision(role, row)]).toEqual([role, row.expected[role]]);
  });

  it('allowed-with-context: the keys it lists are the ones that make the engine allow', async () => {
    const report = await whoCan('orders:DeleteOrder', order('red/5'));
    const developer = report.roles.find((entry) => entry.role === 'Developer');
    expect(developer).toMatchObject({
      access: 'allowed-with-context',
      decision: 'ImplicitDeny',
      requiredContext: { 'fedgate:RequestMethod': 'DELETE' },
    });
    // With the listed method the real request passes, and who-can asked with it says allowed.
    expect(await bed.authz(tokens.get('Developer') ?? '', 'DELETE', '/orders/red/5')).toBe(200);
    const again = await whoCan('orders:DeleteOrder', order('red/5'), developer?.requiredContext ?? {});
    expect(again.roles.find((entry) => entry.role === 'Developer')?.access).toBe('allowed');
    // A role the policies never allow stays denied whatever the context.
    expect(report.roles.find((entry) => entry.role === 'Auditor')?.access).toBe('denied');
  });

  it('an explicit Deny is reported as such, not as a missing Allow', async () => {
    const report = await whoCan('orders:DeleteOrder', order('blue/5'), { 'fedgate:RequestMethod': 'DELETE' });
    expect(report.roles.find((entry) => entry.role === 'Developer')?.decision).toBe('ExplicitDeny');
    expect(report.roles.find((entry) => entry.role === 'Auditor')?.decision).toBe('ImplicitDeny');
  });

  it('who reaches each role: the trust policy subjects, and "any subject" where it has no condition', async () => {
    const report = await whoCan('orders:GetOrder', order('red/1'));
    const through = Object.fromEntries(report.roles.map((entry) => [entry.role, entry.reachableThrough]));
    expect(through['Developer']).toMatchObject([
      {
        identityProviders: ['ci'],
        subjects: [{ operator: 'StringEquals', key: 'ci:sub', values: ['alice', 'bob'] }],
      },
    ]);
    expect(through['Dormant']).toMatchObject([{ identityProviders: ['ci'], subjects: [] }]);
    // A subject outside the trust policy cannot reach Developer: the gateway agrees.
    await expect(bed.assume('Developer', 'mallory')).rejects.toThrow(/403/);
    expect(await bed.assume('Dormant', 'mallory')).not.toBe('');
  });
});
