/**
 * Issue 18, logs: the log and the audit trail may share one stream (stdout); one field tells them apart
 * (`"audit": true` on every audit line, never on a log line). Allowed /authz decisions are written as access
 * lines when `log.authzAccessSample` asks for them (none by default); a browser's automatic `/favicon.ico`
 * is refused like any request without a route, but is not audited as a denial.
 */
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

const HOST = 'orders.test';
const running: GatewayFixture[] = [];
afterAll(async () => {
  for (const gateway of running) await gateway.close();
});

interface OneStream {
  readonly gateway: GatewayFixture;
  lines(): Record<string, unknown>[];
  ask(uri: string, token?: string): Promise<number>;
}

async function startOnOneStream(log: Record<string, unknown>): Promise<OneStream> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const gateway = await startGatewayFixture({
    config: {
      audit: { sinks: [{ kind: 'stdout' }] },
      log: { level: 'info', ...log },
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
          host: HOST,
          methods: ['GET'],
          path: '/orders/:id',
          action: 'orders:GetOrder',
          resource: 'arn:fedgate:orders:::order/${id}',
        },
      ],
    },
    logger: createLogger({ level: 'info', destination: stream }),
    stdout: stream,
  });
  running.push(gateway);
  return {
    gateway,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    ask: async (uri, token) => {
      const answer = await fetch(`${gateway.url}/authz`, {
        headers: {
          'x-forwarded-method': 'GET',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': HOST,
          'x-forwarded-uri': uri,
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      });
      await answer.arrayBuffer();
      return answer.status;
    },
  };
}

async function viewerToken(gateway: GatewayFixture): Promise<string> {
  const { token } = await gateway.gateway.sessions.issue({
    roleName: 'Viewer',
    sessionName: 'viewer@example.com',
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
  return token;
}

/** Lets the log and audit writers flush what they were given. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('the log and the audit trail on one stream', () => {
  it('audit lines carry "audit": true, log lines never do; allowed decisions are logged when sampled at 1; /favicon.ico is not audited', async () => {
    const one = await startOnOneStream({ authzAccessSample: 1 });
    const token = await viewerToken(one.gateway);
    expect(await one.ask('/orders/7', token)).toBe(200);
    expect(await one.ask('/favicon.ico', token)).toBe(403);
    expect(await one.ask('/favicon.ico')).toBe(403);
    expect(await one.ask('/invoices/1', token)).toBe(403);
    await settle();

    const lines = one.lines();
    const audit = lines.filter((line) => line['audit'] === true);
    const log = lines.filter((line) => !('audit' in line));
    // Every line is one or the other, by the one field.
    expect(audit.length + log.length).toBe(lines.length);
    for (const line of audit) expect(line).toHaveProperty('event');
    for (const line of log) expect(line).toHaveProperty('level');

    // The one denial audited is the route-less /invoices/1, not the favicon.
    const denials = audit.filter((line) => line['event'] === 'authz.denied');
    expect(denials.map((line) => [line['reason'], (line['details'] as { path?: string }).path])).toEqual([
      ['NoMatchingRoute', '/invoices/1'],
    ]);

    const access = log.filter((line) => line['msg'] === 'authz allowed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      outcome: 'allow',
      principal: 'arn:fedgate:sts::000000000000:assumed-role/Viewer/viewer@example.com',
      action: 'orders:GetOrder',
      resource: 'arn:fedgate:orders:::order/7',
      method: 'GET',
      host: HOST,
      path: '/orders/7',
    });
    expect(typeof access[0]?.['ms']).toBe('number');
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('by default (log.authzAccessSample 0) allowed decisions write no access line', async () => {
    const one = await startOnOneStream({});
    const token = await viewerToken(one.gateway);
    for (let i = 0; i < 5; i++) expect(await one.ask(`/orders/${i}`, token)).toBe(200);
    await settle();
    expect(one.lines().filter((line) => line['msg'] === 'authz allowed')).toEqual([]);
  });

  it('the portal answers /favicon.ico quietly (204), and its pages name their icon', async () => {
    const one = await startOnOneStream({});
    const icon = await fetch(`${one.gateway.url}/favicon.ico`, { headers: { accept: 'image/*' } });
    expect(icon.status).toBe(204);
    const page = await (await fetch(`${one.gateway.url}/`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('<link rel="icon" href="data:," />');
  });

  it('log.authzAccessSample outside 0..1 is a configuration error naming the key', async () => {
    await expect(startOnOneStream({ authzAccessSample: 1.5 })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: 'log.authzAccessSample' })],
    });
  });
});
