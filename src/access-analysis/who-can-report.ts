import type { GatewayConfig } from '../config/index.js';
import type { ContextValue, Decision, DecisionKind, MatchedStatement } from '../policy/index.js';
import { authorizeSession, simulatedSession, type PolicyCatalog } from '../roles/index.js';
import { listOf, statementsOf } from './role-grants.js';

/** The question: who may do `action` on `resource`, in this context. */
export interface WhoCanQuestion {
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, ContextValue>>;
}

/** A condition of a trust policy, as written. */
export interface TrustCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** One trust-policy statement through which identities reach a role. */
export interface TrustPath {
  readonly sid: string | null;
  readonly actions: readonly string[];
  /** Configured identity providers the `Federated` principal names. */
  readonly identityProviders: readonly string[];
  /** Principals as written (`Federated`, `AWS`, `*`). */
  readonly principals: readonly string[];
  /** Values allowed for the subject (`<provider>:sub`, `saml:sub`…); empty = any subject. */
  readonly subjects: readonly TrustCondition[];
  /** Conditions on groups (`fedgate:groups`, SAML group attributes). */
  readonly groups: readonly TrustCondition[];
  /** Every other condition (audience, MFA, source IP, tags…). */
  readonly conditions: readonly TrustCondition[];
}

/** The answer for one role. */
export interface WhoCanRole {
  readonly role: string;
  readonly roleArn: string;
  /** `allowed`; `denied`; or `allowed-with-context`: allowed once the listed context keys have suitable values. */
  readonly access: 'allowed' | 'denied' | 'allowed-with-context';
  /** The engine's decision for the question as asked. */
  readonly decision: DecisionKind;
  readonly matchedStatements: readonly MatchedStatement[];
  /** For `allowed-with-context`: the keys needed and values with which the engine allows. */
  readonly requiredContext?: Readonly<Record<string, string>>;
  /** The trust-policy statements that admit identities to the role. */
  readonly reachableThrough: readonly TrustPath[];
}

/** `fedgate access who-can` / `GET /access/who-can`. */
export interface WhoCanReport {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, ContextValue>>;
  readonly roles: readonly WhoCanRole[];
}

/** Combinations of candidate values tried per role before answering `denied`. */
const MAX_ATTEMPTS = 512;

/**
 * For every role: the decision of a session of that role (the same `authorizeSession` every request
 * uses, over a simulated session with no tags and no MFA: tags, MFA and the rest come from the question's
 * context). When that is an ImplicitDeny with context keys the policies wanted, the engine is asked again
 * with candidate values for them (the values the role's policies compare them with, and the resource's
 * segments for policy variables); the first combination allowed makes the role `allowed-with-context`.
 * Then the trust policy's Allow statements say who can reach the role.
 */
export function whoCanReport(
  config: GatewayConfig,
  catalog: PolicyCatalog,
  question: WhoCanQuestion,
  nowMs: number,
): WhoCanReport {
  const context = question.context ?? {};
  const roles = config.roles.map((role): WhoCanRole => {
    const session = simulatedSession(role.name, 'who-can', config, nowMs);
    const decide = (extra: Readonly<Record<string, ContextValue>>): Decision =>
      authorizeSession(catalog, session, {
        action: question.action,
        resource: question.resource,
        context: { ...context, ...extra },
        now: nowMs,
      });
    const decision = decide({});
    const base = {
      role: role.name,
      roleArn: session.roleArn,
      decision: decision.decision,
      matchedStatements: decision.matchedStatements,
      reachableThrough: trustPaths(config, role.trustPolicy),
    };
    if (decision.decision === 'Allow') return { ...base, access: 'allowed' };
    if (decision.missingContextKeys.length === 0) return { ...base, access: 'denied' };
    const required = searchContext(
      decision.missingContextKeys,
      candidateValues(config, role.name, question.resource),
      decide,
    );
    return required === undefined
      ? { ...base, access: 'denied' }
      : { ...base, access: 'allowed-with-context', requiredContext: required };
  });
  return { action: question.action, resource: question.resource, context, roles };
}

/** Tries combinations of candidate values for the missing keys; returns the smallest allowing set found. */
function searchContext(
  keys: readonly string[],
  candidates: ReadonlyMap<string, readonly string[]>,
  decide: (extra: Readonly<Record<string, ContextValue>>) => Decision,
): Record<string, string> | undefined {
  const options = keys.map((key) => ['', ...(candidates.get(key.toLowerCase()) ?? [])]);
  let attempts = 0;
  const choice: string[] = keys.map(() => '');
  let found: Record<string, string> | undefined;
  const visit = (i: number): void => {
    if (found !== undefined || attempts >= MAX_ATTEMPTS) return;
    if (i === keys.length) {
      attempts++;
      const extra: Record<string, string> = {};
      keys.forEach((key, j) => {
        if (choice[j] !== '') extra[key] = choice[j] as string;
      });
      if (Object.keys(extra).length > 0 && decide(extra).decision === 'Allow') found = extra;
      return;
    }
    for (const value of options[i] ?? []) {
      choice[i] = value;
      visit(i + 1);
      if (found !== undefined) return;
    }
    choice[i] = '';
  };
  visit(0);
  if (found === undefined) return undefined;
  // Drop keys the decision does not need after all.
  for (const key of Object.keys(found)) {
    const { [key]: _dropped, ...without } = found;
    if (Object.keys(without).length > 0 && decide(without).decision === 'Allow') found = without;
  }
  return found;
}

/** Per lower-cased context key: the string values the role's policies compare it with, and resource segments. */
function candidateValues(config: GatewayConfig, role: string, resource: string): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  const add = (key: string, value: string): void => {
    const lower = key.toLowerCase();
    let set = out.get(lower);
    if (set === undefined) {
      set = new Set();
      out.set(lower, set);
    }
    set.add(value);
  };
  const definition = config.roles.find((r) => r.name === role);
  const documents: unknown[] = [
    ...(definition?.policies ?? []).map((name) => config.policies[name]),
    ...Object.values(definition?.inlinePolicies ?? {}),
    ...(definition?.permissionsBoundary === undefined
      ? []
      : [config.policies[definition.permissionsBoundary]]),
    ...config.guardrails,
    ...config.resources.flatMap((r) => (r.policy === undefined ? [] : [r.policy])),
  ];
  const segments = resource.split(/[:/]/).filter((s) => s !== '' && !s.includes('*'));
  const variables: string[] = [];
  for (const document of documents) {
    for (const s of statementsOf(document)) {
      for (const c of conditionsOf(s['Condition']))
        for (const value of c.values) if (!value.includes('${')) add(c.key, value);
      for (const r of [...listOf(s['Resource']), ...listOf(s['NotResource'])])
        for (const m of r.matchAll(/\$\{([^},]+)/g)) variables.push((m[1] ?? '').trim());
    }
  }
  for (const key of variables) for (const segment of segments) add(key, segment);
  return new Map([...out].map(([key, set]) => [key, [...set]]));
}

/** The Allow statements of a trust policy that admit an assume-role action, described. */
export function trustPaths(config: GatewayConfig, trustPolicy: unknown): TrustPath[] {
  const paths: TrustPath[] = [];
  for (const s of statementsOf(trustPolicy)) {
    if (s['Effect'] !== 'Allow') continue;
    const actions = listOf(s['Action']);
    if (!actions.some((a) => /^sts:(assumerole|\*)/i.test(a) || a === '*')) continue;
    const principals = principalsOf(s['Principal']);
    const conditions = conditionsOf(s['Condition']);
    const isSubject = (key: string): boolean => /(^|:)sub$/i.test(key);
    const isGroup = (key: string): boolean => /^fedgate:groups$/i.test(key) || /group/i.test(key);
    paths.push({
      sid: typeof s['Sid'] === 'string' ? s['Sid'] : null,
      actions,
      identityProviders: providersNamed(config, principals),
      principals: principals.map((p) => `${p.type}:${p.id}`),
      subjects: conditions.filter((c) => isSubject(c.key)),
      groups: conditions.filter((c) => !isSubject(c.key) && isGroup(c.key)),
      conditions: conditions.filter((c) => !isSubject(c.key) && !isGroup(c.key)),
    });
  }
  return paths;
}

function principalsOf(principal: unknown): { type: string; id: string }[] {
  if (principal === '*') return [{ type: '*', id: '*' }];
  if (typeof principal !== 'object' || principal === null) return [];
  return Object.entries(principal as Record<string, unknown>).flatMap(([type, ids]) =>
    listOf(ids).map((id) => ({ type, id })),
  );
}

function providersNamed(
  config: GatewayConfig,
  principals: readonly { type: string; id: string }[],
): string[] {
  const out: string[] = [];
  for (const provider of config.identityProviders) {
    const names = [provider.id, `saml-provider/${provider.id}`];
    if (provider.type === 'oidc') {
      const host = provider.issuer.replace(/^https?:\/\//, '').replace(/\/$/, '');
      names.push(host, `oidc-provider/${host}`, provider.issuer);
    }
    const admitted = principals.some(
      (p) =>
        p.type === '*' ||
        (p.type === 'Federated' && (p.id === '*' || names.some((n) => p.id === n || p.id.endsWith(`:${n}`)))),
    );
    if (admitted) out.push(provider.id);
  }
  return out;
}

/** The conditions of a statement as (operator, key, values). */
export function conditionsOf(condition: unknown): TrustCondition[] {
  if (typeof condition !== 'object' || condition === null) return [];
  const out: TrustCondition[] = [];
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) continue;
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      const list = Array.isArray(values) ? values : [values];
      out.push({ operator, key, values: list.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) });
    }
  }
  return out;
}
