import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  reservePort,
  startBedIdps,
  startFederationBed,
  type BedIdps,
  type FederationBed,
} from '../faults/federation-bed.js';
import { runRealisticFlow } from '../no-secrets-in-logs/realistic-flow.js';

/*
 * Issue 8: `/metrics` has counters for logins, role assumptions, token exchanges and authorizer decisions by
 * outcome, and latency histograms. After the realistic flow (plus a failed login) each counter must have counted
 * what the flow did: a counter that production code never increments fails here.
 */

let idps: BedIdps;
let bed: FederationBed;
let exposition: string;

beforeAll(async () => {
  const port = await reservePort();
  idps = await startBedIdps(port);
  bed = await startFederationBed({ idps, port });
  await runRealisticFlow(bed);
  // A failed browser login: a SAML response that is not one.
  const failed = await bed.postAcs({ SAMLResponse: Buffer.from('<nope/>').toString('base64') });
  expect(failed.status).toBeGreaterThanOrEqual(400);
  expect(failed.status).toBeLessThan(500);
  const response = await bed.get('/metrics');
  expect(response.status).toBe(200);
  exposition = await response.text();
});

afterAll(async () => {
  await bed?.close();
  await idps?.stop();
});

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

function samples(text: string): Sample[] {
  const result: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1] ?? ''] = pair[2] ?? '';
    result.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return result;
}

/** The sum of a metric's samples whose labels include `labels`. */
function total(name: string, labels: Record<string, string> = {}): number {
  return samples(exposition)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

function outcomes(name: string): Set<string> {
  return new Set(
    samples(exposition)
      .filter((s) => s.name === name && s.value > 0)
      .map((s) => s.labels['outcome'] ?? ''),
  );
}

describe('/metrics counts what the gateway did, by outcome', () => {
  it('logins: successes by provider (OIDC and SAML) and the failed one', () => {
    expect(total('fedgate_logins_total', { provider: 'corp', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(
      total('fedgate_logins_total', { provider: 'corp-saml', outcome: 'success' }),
    ).toBeGreaterThanOrEqual(1);
    expect(total('fedgate_logins_total', { outcome: 'failure' })).toBeGreaterThanOrEqual(1);
  });

  it('role assumptions: issued per API, and the refused web-identity token', () => {
    for (const api of ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML', 'sts:AssumeRole'])
      expect(total('fedgate_role_assumptions_total', { api, outcome: 'issued' }), api).toBeGreaterThanOrEqual(
        1,
      );
    const refused =
      total('fedgate_role_assumptions_total', { api: 'sts:AssumeRoleWithWebIdentity', outcome: 'failed' }) +
      total('fedgate_role_assumptions_total', { api: 'sts:AssumeRoleWithWebIdentity', outcome: 'denied' });
    expect(refused).toBeGreaterThanOrEqual(1);
  });

  it('token exchanges: the two issued and the refused client, by outcome', () => {
    expect(total('fedgate_token_exchanges_total')).toBeGreaterThanOrEqual(3);
    expect(outcomes('fedgate_token_exchanges_total').size).toBeGreaterThanOrEqual(2);
  });

  it('authorizer decisions: allow, explicit deny, implicit deny, unauthenticated', () => {
    expect(total('fedgate_authz_decisions_total', { outcome: 'allow' })).toBeGreaterThanOrEqual(3);
    expect(total('fedgate_authz_decisions_total', { outcome: 'explicit_deny' })).toBeGreaterThanOrEqual(1);
    expect(total('fedgate_authz_decisions_total', { outcome: 'implicit_deny' })).toBeGreaterThanOrEqual(1);
    expect(total('fedgate_authz_decisions_total', { outcome: 'unauthenticated' })).toBeGreaterThanOrEqual(2);
  });

  it('latency by outcome: sign-in, STS and token endpoint latencies are split into successes and refusals', () => {
    expect(
      total('fedgate_http_request_duration_seconds_count', { group: 'sts', code_class: '2xx' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total('fedgate_http_request_duration_seconds_count', { group: 'oauth2', code_class: '2xx' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total('fedgate_http_request_duration_seconds_count', { group: 'oauth2', code_class: '4xx' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('latency histograms: the authorizer, and the STS, token, SAML and OIDC endpoints', () => {
    expect(total('fedgate_authz_duration_seconds_count')).toBeGreaterThanOrEqual(7);
    for (const group of ['sts', 'oauth2', 'saml', 'oidc', 'login'])
      expect(total('fedgate_http_request_duration_seconds_count', { group }), group).toBeGreaterThanOrEqual(
        1,
      );
  });

  it('Prometheus conventions: standard process and Node.js metric names, no gauge named _total, outcome values in snake_case', () => {
    expect(total('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(total('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(exposition).not.toMatch(/^fedgate_(process|nodejs)_/m);
    const gauges = [...exposition.matchAll(/^# TYPE (\S+) gauge$/gm)].map((match) => match[1] ?? '');
    // prom-client's own nodejs_active_*_total gauges keep their standard names; fedgate's gauges follow the rule.
    expect(gauges.filter((name) => name.startsWith('fedgate_') && name.endsWith('_total'))).toEqual([]);
    for (const sample of samples(exposition)) {
      const outcome = sample.labels['outcome'];
      if (outcome !== undefined) expect(outcome, sample.name).toMatch(/^[a-z0-9_]+$/);
    }
  });
});
