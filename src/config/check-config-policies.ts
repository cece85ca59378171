import { issuerHostPath } from '../federation/trust-principal.js';
import { validatePolicy } from '../policy/index.js';
import { formatConfigPath, joinConfigPath, type PathSegment } from './config-path.js';
import type { GatewayConfig } from './schema.js';
import type { SourceLocation } from './source-location.js';

/** The kinds of policy the policy engine validates, by where the document is used. */
export type ConfigPolicyKind = 'identity' | 'boundary' | 'session' | 'guardrail' | 'resource' | 'trust';

/** How serious a finding is; only `error` makes a configuration invalid. */
export type FindingSeverity = 'error' | 'security-warning' | 'warning' | 'suggestion';

/** A policy finding at its full config path (`roles[2].trustPolicy.Statement[0].Condition`). */
export interface Finding {
  readonly severity: FindingSeverity;
  readonly code: string;
  readonly path: string;
  readonly message: string;
  /** Where the policy was written (the config file's line and column, or the referenced policy file). */
  readonly location?: SourceLocation;
}

/** One policy document of the configuration, where it sits and how it is used. */
export interface ConfigPolicyDocument {
  readonly path: string;
  readonly kind: ConfigPolicyKind;
  readonly document: unknown;
}

/**
 * Runs every policy of the configuration (managed policies, guardrails, trust policies, inline
 * policies, boundaries, resource policies) through the policy engine's validator.
 */
export function checkConfigPolicies(config: GatewayConfig): Finding[] {
  return checkPolicyDocuments(config);
}

/** The same check over an unvalidated tree: documents that are not objects are skipped (the schema reports them). */
export function checkPolicyDocuments(tree: unknown): Finding[] {
  const findings: Finding[] = [];
  const options = { federatedPrincipalNames: federatedPrincipalNames(tree) };
  for (const { path, kind, document } of collectConfigPolicies(tree)) {
    for (const finding of validatePolicy(document, kind, options)) {
      findings.push({
        severity: finding.severity,
        code: finding.code,
        path: joinConfigPath(path, finding.path),
        message: finding.message,
      });
    }
  }
  return findings;
}

/**
 * Every policy document in a configuration tree with its path and kind. A managed policy only used as a
 * permissions boundary is checked as a boundary, otherwise as an identity policy.
 */
export function collectConfigPolicies(tree: unknown): ConfigPolicyDocument[] {
  if (!isObject(tree)) return [];
  const out: ConfigPolicyDocument[] = [];
  const add = (path: PathSegment[], kind: ConfigPolicyKind, document: unknown): void => {
    if (isObject(document)) out.push({ path: formatConfigPath(path), kind, document });
  };
  const roles = Array.isArray(tree.roles) ? tree.roles.filter(isObject) : [];
  const attached = new Set(roles.flatMap((role) => (Array.isArray(role.policies) ? role.policies : [])));
  const boundaries = new Set(roles.map((role) => role.permissionsBoundary));
  if (isObject(tree.policies)) {
    for (const [name, document] of Object.entries(tree.policies)) {
      add(
        ['policies', name],
        boundaries.has(name) && !attached.has(name) ? 'boundary' : 'identity',
        document,
      );
    }
  }
  if (Array.isArray(tree.guardrails)) {
    tree.guardrails.forEach((document: unknown, index) => add(['guardrails', index], 'guardrail', document));
  }
  if (Array.isArray(tree.roles)) {
    tree.roles.forEach((role: unknown, index) => {
      if (!isObject(role)) return;
      add(['roles', index, 'trustPolicy'], 'trust', role.trustPolicy);
      if (isObject(role.inlinePolicies)) {
        for (const [name, document] of Object.entries(role.inlinePolicies)) {
          add(['roles', index, 'inlinePolicies', name], 'identity', document);
        }
      }
    });
  }
  if (Array.isArray(tree.profiles)) {
    tree.profiles.forEach((profile: unknown, index) => {
      if (isObject(profile)) add(['profiles', index, 'sessionPolicy'], 'session', profile.sessionPolicy);
    });
  }
  if (Array.isArray(tree.resources)) {
    tree.resources.forEach((resource: unknown, index) => {
      if (isObject(resource)) add(['resources', index, 'policy'], 'resource', resource.policy);
    });
  }
  return out;
}

/**
 * The names without a colon by which a trust policy may write a configured provider in `{"Federated": …}`: its
 * id and, for OIDC, the issuer without scheme (path included). ARN forms are not host-like, so not needed here.
 */
function federatedPrincipalNames(tree: unknown): string[] {
  if (!isObject(tree) || !Array.isArray(tree.identityProviders)) return [];
  return tree.identityProviders.filter(isObject).flatMap((provider) => {
    const names: string[] = [];
    if (typeof provider.id === 'string') names.push(provider.id);
    if (provider.type === 'oidc' && typeof provider.issuer === 'string')
      names.push(issuerHostPath(provider.issuer));
    return names;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
