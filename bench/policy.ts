/**
 * Policy engine speed: decisions/s, p50 and p99 per decision for role policy sets of 10, 100, 1,000 and
 * 10,000 realistic ABAC statements (variables in Resource, conditions on tags and source IP, some Deny),
 * split over 10 policies, decided three ways in the same run:
 *   indexed  — `authorize` (action index, compiled matchers)
 *   linear   — the same compiled statements scanned one by one (no index): the naive baseline
 *   cedar    — @cedar-policy/cedar-wasm on an equivalent Cedar policy set (preparsed, stateful)
 *
 *   npx tsx bench/policy.ts   (BENCH_DECISIONS=20000 per cell; BENCH_SECONDS=3 caps each cell's time)
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import {
  authorize,
  parsePolicy,
  prepareContext,
  type AuthorizationRequest,
  type CompiledPolicy,
} from '../src/policy/index.js';
import { prepareRequest } from '../src/policy/authorize.js';
import { PrincipalMatchKind } from '../src/policy/principal-matching.js';
import { matchStatement, matchesAction } from '../src/policy/statement-matching.js';

const DECISIONS = Number(process.env['BENCH_DECISIONS'] ?? 20_000);
// Cedar at 10,000 policies takes tens of ms per decision: cap each cell's time rather than its count.
const MAX_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const SIZES = [10, 100, 1_000, 10_000];
const POLICIES = 10;
const ACTIONS_PER_SERVICE = 20;
const TEAMS = ['red', 'blue', 'green', 'payments'];

interface Spec {
  service: string;
  action: string;
  deny: boolean;
}

function specs(statements: number): Spec[] {
  return Array.from({ length: statements }, (_, i) => {
    const service = `svc${Math.floor(i / ACTIONS_PER_SERVICE)}`;
    const verb = i % 10 === 9 ? 'Delete' : 'Get';
    return { service, action: `${service}:${verb}Thing${i % ACTIONS_PER_SERVICE}`, deny: i % 10 === 9 };
  });
}

function iamStatement(s: Spec, i: number): Record<string, unknown> {
  if (s.deny) {
    return {
      Sid: `D${i}`,
      Effect: 'Deny',
      Action: s.action,
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    };
  }
  return {
    Sid: `A${i}`,
    Effect: 'Allow',
    Action: s.action,
    Resource: `arn:fedgate:${s.service}:::thing/\${aws:PrincipalTag/team}/*`,
    Condition: {
      StringEquals: { [`${s.service}:Owner`]: '${aws:PrincipalTag/team}' },
      IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] },
    },
  };
}

function cedarPolicy(s: Spec): string {
  const head = `action == Action::"${s.action}", resource)`;
  if (s.deny) return `forbid(principal, ${head} when { context.mfa == false };`;
  return (
    `permit(principal, ${head} when { context.resourceTeam == context.team && context.owner == context.team && ` +
    `(ip(context.sourceIp).isInRange(ip("10.0.0.0/8")) || ip(context.sourceIp).isInRange(ip("192.168.0.0/16"))) };`
  );
}

interface Sample {
  request: AuthorizationRequest;
  cedar: cedar.StatefulAuthorizationCall;
}

function samples(all: Spec[], count: number, psetId: string): Sample[] {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return Array.from({ length: count }, () => {
    const s = all[Math.floor(rand() * all.length)] as Spec;
    const team = TEAMS[Math.floor(rand() * TEAMS.length)] as string;
    const resourceTeam = rand() < 0.8 ? team : 'other';
    const owner = rand() < 0.9 ? team : 'other';
    const sourceIp = rand() < 0.9 ? '10.1.2.3' : '8.8.8.8';
    const mfa = rand() < 0.8;
    const context = prepareContext({
      'aws:PrincipalTag/team': team,
      [`${s.service}:Owner`]: owner,
      'aws:SourceIp': sourceIp,
      'aws:MultiFactorAuthPresent': mfa,
      'aws:CurrentTime': '2026-01-01T00:00:00Z',
    });
    return {
      request: {
        principal: {
          type: 'AWS',
          id: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice',
          account: '000000000000',
        },
        action: s.action,
        resource: `arn:fedgate:${s.service}:::thing/${resourceTeam}/1`,
        context,
      },
      cedar: {
        principal: { type: 'User', id: 'alice' },
        action: { type: 'Action', id: s.action },
        resource: { type: 'Thing', id: `${resourceTeam}/1` },
        context: { team, resourceTeam, owner, sourceIp, mfa },
        entities: [],
        preparsedPolicySetId: psetId,
      },
    };
  });
}

/** The naive baseline: every statement of every policy, no index. */
function linearDecide(request: AuthorizationRequest, policies: readonly CompiledPolicy[]): string {
  const prepared = prepareRequest(request);
  let allowed = false;
  for (const p of policies) {
    for (const s of p.statements) {
      if (!matchesAction(s, prepared.action)) continue;
      if (matchStatement(s, prepared) === PrincipalMatchKind.None) continue;
      if (s.effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

function measure(list: Sample[], decide: (s: Sample) => string): Figures {
  const warmUntil = process.hrtime.bigint() + BigInt(Math.round(MAX_SECONDS * 1e8));
  for (let i = 0; i < Math.min(2_000, list.length) && process.hrtime.bigint() < warmUntil; i++)
    decide(list[i] as Sample);
  const all = new Float64Array(list.length);
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(MAX_SECONDS * 1e9));
  let n = 0;
  for (; n < list.length; n++) {
    const t0 = process.hrtime.bigint();
    decide(list[n] as Sample);
    const t1 = process.hrtime.bigint();
    all[n] = Number(t1 - t0) / 1000;
    if (t1 > deadline && n >= 100) {
      n++;
      break;
    }
  }
  const total = Number(process.hrtime.bigint() - start) / 1e9;
  const times = all.subarray(0, n).sort();
  return {
    perSecond: n / total,
    p50: times[Math.floor(times.length * 0.5)] ?? 0,
    p99: times[Math.floor(times.length * 0.99)] ?? 0,
  };
}

const fmt = (f: Figures) =>
  `${Math.round(f.perSecond).toLocaleString('en-US').padStart(10)}/s  p50 ${f.p50.toFixed(2).padStart(7)} µs  p99 ${f.p99.toFixed(2).padStart(8)} µs`;

console.log(
  `policy engine: ${DECISIONS.toLocaleString('en-US')} decisions per cell, ${POLICIES} policies per set, node ${process.version}`,
);
console.log('statements | engine  | decisions/s | p50 | p99 | ratio vs indexed (p50)');
for (const size of SIZES) {
  const all = specs(size);
  const perPolicy = Math.ceil(size / POLICIES);
  const compiled: CompiledPolicy[] = [];
  for (let p = 0; p < POLICIES; p++) {
    const part = all.slice(p * perPolicy, (p + 1) * perPolicy);
    if (part.length === 0) continue;
    compiled.push(
      parsePolicy(
        { Version: '2012-10-17', Statement: part.map((s, i) => iamStatement(s, p * perPolicy + i)) },
        { name: `p${p}`, kind: 'identity' },
      ),
    );
  }
  const psetId = `set${size}`;
  const staticPolicies: Record<string, string> = {};
  all.forEach((s, i) => (staticPolicies[`p${i}`] = cedarPolicy(s)));
  const parsed = cedar.preparsePolicySet(psetId, { staticPolicies });
  if (parsed.type !== 'success') throw new Error(`cedar: ${JSON.stringify(parsed.errors).slice(0, 300)}`);
  const list = samples(all, DECISIONS, psetId);

  // Same answers, or the comparison means nothing.
  let disagreements = 0;
  const checked = list.slice(0, size >= 10_000 ? 200 : 2_000);
  for (const s of checked) {
    const a = authorize(s.request, { identityPolicies: compiled }).decision;
    const b = linearDecide(s.request, compiled);
    const c = cedar.statefulIsAuthorized(s.cedar);
    const cd = c.type === 'success' ? (c.response.decision === 'allow' ? 'Allow' : 'Deny') : 'error';
    if (a !== b || (a === 'Allow') !== (cd === 'Allow')) disagreements++;
  }

  const indexed = measure(list, (s) => authorize(s.request, { identityPolicies: compiled }).decision);
  const linear = measure(list, (s) => linearDecide(s.request, compiled));
  const cedarFigures = measure(list, (s) => {
    const r = cedar.statefulIsAuthorized(s.cedar);
    return r.type === 'success' ? r.response.decision : 'error';
  });
  const row = (name: string, f: Figures) =>
    console.log(
      `${String(size).padStart(10)} | ${name.padEnd(7)} | ${fmt(f)} | ${(f.p50 / indexed.p50).toFixed(1)}x`,
    );
  row('indexed', indexed);
  row('linear', linear);
  row('cedar', cedarFigures);
  if (disagreements > 0)
    console.log(`           ! ${disagreements} of ${checked.length} sampled requests decided differently`);
}
