import type { GatewayConfig } from '../config/index.js';
import { parsePolicy, type CompiledPolicy, type PolicyKind } from '../policy/index.js';
import { compileArnPattern, type ArnPattern } from '../catalog/arn-pattern.js';
import { roleArnFor } from '../sessions/index.js';
import type { ResourceDescription, RoleDefinition } from './role-definition.js';

interface ResourceEntry {
  readonly pattern: ArnPattern;
  readonly tags: Readonly<Record<string, string>>;
  readonly policy: CompiledPolicy | undefined;
}

const NO_RESOURCE: ResourceDescription = Object.freeze({
  tags: Object.freeze({}),
  policies: Object.freeze([]),
});
const RESOURCE_MEMO_LIMIT = 4096;

/**
 * Every policy of one configuration, compiled once: roles, managed policies, guardrails and resources.
 * A new catalog is built for each configuration reload; it is immutable, so readers never see a half-applied change.
 */
export class PolicyCatalog {
  readonly partition: string;
  readonly account: string;
  readonly guardrails: readonly CompiledPolicy[];
  readonly #roles: ReadonlyMap<string, RoleDefinition>;
  readonly #rolesByArn: ReadonlyMap<string, RoleDefinition>;
  readonly #managedDocuments: ReadonlyMap<string, unknown>;
  readonly #resources: readonly ResourceEntry[];
  readonly #resourceMemo = new Map<string, ResourceDescription>();

  private constructor(
    partition: string,
    account: string,
    roles: readonly RoleDefinition[],
    guardrails: readonly CompiledPolicy[],
    managedDocuments: ReadonlyMap<string, unknown>,
    resources: readonly ResourceEntry[],
  ) {
    this.partition = partition;
    this.account = account;
    this.guardrails = guardrails;
    this.#roles = new Map(roles.map((role) => [role.name, role]));
    this.#rolesByArn = new Map(roles.map((role) => [role.arn, role]));
    this.#managedDocuments = managedDocuments;
    this.#resources = resources;
  }

  /** Compiles the policies of a configuration; throws MalformedPolicyDocument naming the config path. */
  static fromConfig(config: GatewayConfig): PolicyCatalog {
    const { partition, account } = config;
    const compile = (document: unknown, name: string, kind: PolicyKind): CompiledPolicy =>
      parsePolicy(document, { name, kind });
    const managed = new Map<string, unknown>(Object.entries(config.policies));
    const compiledManaged = new Map<string, CompiledPolicy>();
    const managedPolicy = (name: string, kind: PolicyKind): CompiledPolicy => {
      const key = `${kind}:${name}`;
      let compiled = compiledManaged.get(key);
      if (compiled === undefined) {
        compiled = compile(managed.get(name), `policies.${name}`, kind);
        compiledManaged.set(key, compiled);
      }
      return compiled;
    };
    const roles = config.roles.map((role, index): RoleDefinition => {
      const path = `roles[${index}]`;
      const boundary = role.permissionsBoundary;
      return {
        name: role.name,
        arn: roleArnFor(partition, account, role.name),
        ...(role.description === undefined ? {} : { description: role.description }),
        ...(role.appUrl === undefined ? {} : { appUrl: role.appUrl }),
        maxSessionDurationSeconds: role.maxSessionDuration,
        trustPolicy: compile(role.trustPolicy, `${path}.trustPolicy`, 'trust'),
        identityPolicies: [
          ...role.policies.map((name) => managedPolicy(name, 'identity')),
          ...Object.entries(role.inlinePolicies).map(([name, document]) =>
            compile(document, `${path}.inlinePolicies.${name}`, 'identity'),
          ),
        ],
        ...(boundary === undefined ? {} : { permissionsBoundary: managedPolicy(boundary, 'boundary') }),
        tags: role.tags,
      };
    });
    const guardrails = config.guardrails.map((document, index) =>
      compile(document, `guardrails[${index}]`, 'guardrail'),
    );
    const resources = config.resources.map((resource, index): ResourceEntry => ({
      pattern: compileArnPattern(resource.arn),
      tags: resource.tags,
      policy:
        resource.policy === undefined
          ? undefined
          : compile(resource.policy, `resources[${index}].policy`, 'resource'),
    }));
    return new PolicyCatalog(partition, account, roles, guardrails, managed, resources);
  }

  /** The role of that name, if configured. */
  role(name: string): RoleDefinition | undefined {
    return this.#roles.get(name);
  }

  /** The role of that ARN (`arn:<p>:iam::<acct>:role/<name>`), if configured. */
  roleByArn(arn: string): RoleDefinition | undefined {
    return this.#rolesByArn.get(arn);
  }

  /** Every configured role, in configuration order. */
  roles(): readonly RoleDefinition[] {
    return [...this.#roles.values()];
  }

  /** The JSON document of a managed policy, by name or `arn:<p>:iam::<acct>:policy/<name>` (session PolicyArns). */
  managedPolicyDocument(nameOrArn: string): unknown {
    const prefix = `arn:${this.partition}:iam::${this.account}:policy/`;
    const name = nameOrArn.startsWith(prefix) ? nameOrArn.slice(prefix.length) : nameOrArn;
    return this.#managedDocuments.get(name);
  }

  /** True when some configured resource pattern (`resources[].arn`) matches the ARN: its tags are the gateway's. */
  isConfiguredResource(arn: string): boolean {
    return this.#resources.some((entry) => entry.pattern.matches(arn));
  }

  /** Tags and resource policies of every configured resource pattern matching the ARN (first tag value wins). */
  resourceFor(arn: string): ResourceDescription {
    const memo = this.#resourceMemo.get(arn);
    if (memo !== undefined) return memo;
    const tags: Record<string, string> = {};
    const policies: CompiledPolicy[] = [];
    for (const entry of this.#resources) {
      if (!entry.pattern.matches(arn)) continue;
      for (const [key, value] of Object.entries(entry.tags)) if (!(key in tags)) tags[key] = value;
      if (entry.policy !== undefined) policies.push(entry.policy);
    }
    const description =
      policies.length === 0 && Object.keys(tags).length === 0 ? NO_RESOURCE : { tags, policies };
    // The memo is bounded: route parameters make resource ARNs unbounded in number.
    if (this.#resourceMemo.size >= RESOURCE_MEMO_LIMIT) this.#resourceMemo.clear();
    this.#resourceMemo.set(arn, description);
    return description;
  }
}
