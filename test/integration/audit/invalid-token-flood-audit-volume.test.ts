/**
 * Issue 20 item 7: an invalid-token flood at /authz must not write one audit line per request. Refusals of
 * invalid credentials are counted per source and reason over a window (one line with a count, after the first
 * line of each window); everything else keeps its own line.
 */
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/audit/index.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

const FLOOD = 600;
const ORDERS_HOST = 'orders.test';
const ATTACKER = '203.0.113.7';
const OTHER = '198.51.100.9';

function config(refusalWindow: string): Record<string, unknown> {
  return {
    audit: { sinks: [], refusalWindow },
    roles: [
      {
        name: 'Viewer',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Federated: 'corp' }, Action: 'sts:AssumeRoleWithWebIdentity' },
          ],
        },
        inlinePolicies: {
          Read: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'orders:GetOrder', Resource: '*' }],
          },
        },
      },
    ],
    routes: [
      {
        host: ORDERS_HOST,
        methods: ['GET'],
        path: '/orders/:id',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/${id}',
      },
      {
        host: ORDERS_HOST,
        methods: ['DELETE'],
        path: '/orders/:id',
        action: 'orders:DeleteOrder',
        resource: 'arn:fedgate:orders:::order/${id}',
      },
    ],
  };
}

/** Sends `count` /authz requests on 16 keep-alive connections; resolves with the statuses seen. */
async function flood(
  url: string,
  count: number,
  headers: Record<string, string>,
): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const statuses = new Map<number, number>();
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent += 1;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${url}/authz`, { agent, headers }, (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode ?? 0));
        });
        req.once('error', reject);
        req.end();
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  agent.destroy();
  return statuses;
}

function forwarded(sourceIp: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'x-forwarded-method': 'GET',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': ORDERS_HOST,
    'x-forwarded-uri': '/orders/42',
    'x-forwarded-for': sourceIp,
    ...extra,
  };
}

const denied = (audit: readonly AuditRecord[]) => audit.filter((record) => record.event === 'authz.denied');
const countOf = (record: AuditRecord): number => {
  const count = record.event === 'authz.denied' ? record.details?.['count'] : undefined;
  return typeof count === 'number' ? count : 1;
};
const bytesOf = (records: readonly AuditRecord[]): number =>
  records.reduce((sum, record) => sum + Buffer.byteLength(`${JSON.stringify(record)}\n`), 0);

async function run(
  refusalWindow: string,
): Promise<{ gateway: GatewayFixture; audit: readonly AuditRecord[] }> {
  const gateway = await startGatewayFixture({ config: config(refusalWindow) });
  try {
    const badSignature = {
      authorization: `Bearer ${'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.' + 'A'.repeat(86)}`,
    };
    expect((await flood(gateway.url, FLOOD, forwarded(ATTACKER, badSignature))).get(401)).toBe(FLOOD);
    expect(
      (await flood(gateway.url, 100, forwarded(OTHER, { authorization: 'Bearer garbage' }))).get(401),
    ).toBe(100);
    // A valid credential that a policy denies: always one line per request.
    const { token } = await gateway.gateway.sessions.issue({
      roleName: 'Viewer',
      sessionName: 'viewer',
      provider: 'corp',
      subject: 'viewer',
      tags: {},
      transitiveTagKeys: [],
      mfa: false,
      amr: [],
      chain: 0,
      sessionPolicies: [],
      hasSessionPolicy: false,
      audience: 'fedgate',
      durationSeconds: 900,
    });
    const deleteHeaders = forwarded(ATTACKER, {
      authorization: `Bearer ${token}`,
      'x-forwarded-method': 'DELETE',
    });
    expect((await flood(gateway.url, 5, deleteHeaders)).get(403)).toBe(5);
  } finally {
    await gateway.close();
  }
  return { gateway, audit: gateway.audit };
}

describe('audit volume under an invalid-token flood at /authz', () => {
  it('invalid-token-flood-writes-a-line-per-request: refusals are counted per source and reason, nothing is lost, denials of valid credentials keep their lines', async () => {
    const { audit } = await run('60s');
    const lines = denied(audit);
    const attacker = lines.filter((r) => r.sourceIp === ATTACKER && r.reason === 'InvalidCredential');
    const other = lines.filter((r) => r.sourceIp === OTHER && r.reason === 'InvalidCredential');
    // One window: the first refusal as it came, then one line with the count of the rest.
    expect(attacker).toHaveLength(2);
    expect(attacker[0]?.requestId).toBeDefined();
    expect(attacker[1]?.details).toMatchObject({ aggregated: true, count: FLOOD - 1, windowSeconds: 60 });
    expect(attacker.reduce((sum, r) => sum + countOf(r), 0)).toBe(FLOOD);
    expect(other.reduce((sum, r) => sum + countOf(r), 0)).toBe(100);
    const policyDenials = lines.filter((r) => r.reason === 'ImplicitDeny');
    expect(policyDenials).toHaveLength(5);
    expect(policyDenials.every((r) => r.details?.['aggregated'] === undefined)).toBe(true);
  });

  it('measures the audit volume of the flood with aggregation off (refusalWindow: 0) and on (10 s)', async () => {
    const off = denied((await run('0')).audit);
    const on = denied((await run('10s')).audit);
    expect(off.filter((r) => r.reason === 'InvalidCredential')).toHaveLength(FLOOD + 100);
    const total = (records: AuditRecord[]) =>
      records.filter((r) => r.reason === 'InvalidCredential').reduce((s, r) => s + countOf(r), 0);
    expect(total(on)).toBe(FLOOD + 100);
    console.log(
      `audit of ${FLOOD + 100} invalid-token refusals + 5 policy denials: ${off.length} lines / ${bytesOf(off)} bytes without aggregation, ${on.length} lines / ${bytesOf(on)} bytes with a 10 s window (${(bytesOf(off) / bytesOf(on)).toFixed(0)}x less)`,
    );
    expect(on.length).toBeLessThan(off.length / 50);
  });
});
