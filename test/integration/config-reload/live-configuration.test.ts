/**
 * A running gateway follows its configuration file: a valid change is compiled as a whole and applied at once
 * (here a new route the authorizer answers for), and a change that is invalid leaves the last good configuration
 * in force, audited as `config.rejected`.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { AuditRecord } from '../../../src/audit/index.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

const HOST = 'orders.test';

function route(path: string, action: string): Record<string, unknown> {
  return { host: HOST, methods: ['GET'], path, action, resource: 'arn:fedgate:orders:::order/${id}' };
}

function document(url: string, routes: readonly Record<string, unknown>[]): Record<string, unknown> {
  return {
    publicUrl: url,
    listen: { host: '127.0.0.1', port: Number(new URL(url).port) },
    trustProxies: ['127.0.0.1/32', '::1/128'],
    store: { kind: 'memory' },
    cookies: { secure: false },
    audit: { sinks: [] },
    log: { level: 'silent' },
    routes,
  };
}

/** What the authorizer answers, without a credential, for a GET the proxy forwards. */
async function authorize(url: string, path: string): Promise<{ status: number; code: unknown }> {
  const response = await fetch(`${url}/authz`, {
    headers: {
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': HOST,
      'x-forwarded-uri': path,
    },
  });
  const body = (await response.json()) as { code?: unknown };
  return { status: response.status, code: body.code };
}

async function eventually(audit: readonly AuditRecord[], event: string, after: number): Promise<AuditRecord> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const found = audit.slice(after).find((record) => record.event === event);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${event} audit event`);
}

describe('the live configuration', () => {
  let gateway: GatewayFixture;

  beforeAll(async () => {
    gateway = await startGatewayFixture({
      config: { routes: [route('/orders/:id', 'orders:GetOrder')] },
      watch: true,
    });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('applies a route added to the file at once, then keeps it when an invalid change follows', async () => {
    expect(await authorize(gateway.url, '/invoices/7')).toMatchObject({
      status: 403,
      code: 'NoMatchingRoute',
    });
    expect(await authorize(gateway.url, '/orders/7')).toMatchObject({ status: 401 });

    const before = gateway.audit.length;
    await writeFile(
      gateway.configPath,
      stringify(
        document(gateway.url, [
          route('/orders/:id', 'orders:GetOrder'),
          route('/invoices/:id', 'orders:GetInvoice'),
        ]),
      ),
    );
    await eventually(gateway.audit, 'config.reloaded', before);
    expect(await authorize(gateway.url, '/invoices/7')).toMatchObject({ status: 401 });

    const reloaded = gateway.audit.length;
    await writeFile(
      gateway.configPath,
      stringify({ ...document(gateway.url, [route('/orders/:id', 'orders:GetOrder')]), unknownKey: true }),
    );
    const rejected = await eventually(gateway.audit, 'config.rejected', reloaded);
    expect(rejected.reason).toBe('InvalidConfiguration');
    // The last good configuration stays: both routes are still answered.
    expect(await authorize(gateway.url, '/invoices/7')).toMatchObject({ status: 401 });
    expect(gateway.gateway.state().config.routes).toHaveLength(2);
  });
});
