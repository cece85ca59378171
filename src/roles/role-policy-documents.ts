import type { GatewayConfig } from '../config/index.js';
import type { RolePolicyDocuments } from '../policy/index.js';
import { compileArnPattern } from '../catalog/arn-pattern.js';
import { roleArnFor } from '../sessions/index.js';

/**
 * A configured role's policy documents as `policy simulate` uses them: its managed and inline policies, its
 * boundary, the guardrails and, when a resource is given, the first configured resource policy matching it.
 */
export function rolePolicyDocuments(
  config: GatewayConfig,
  name: string,
  resource?: string,
): RolePolicyDocuments | undefined {
  const role = config.roles.find((candidate) => candidate.name === name);
  if (role === undefined) return undefined;
  const boundary = role.permissionsBoundary;
  const resourceIndex =
    resource === undefined
      ? -1
      : config.resources.findIndex(
          (entry) => entry.policy !== undefined && compileArnPattern(entry.arn).matches(resource),
        );
  const resourceEntry = resourceIndex < 0 ? undefined : config.resources[resourceIndex];
  return {
    identityPolicies: [
      ...role.policies.map((policy) => ({ name: `policies.${policy}`, document: config.policies[policy] })),
      ...Object.entries(role.inlinePolicies).map(([policy, document]) => ({
        name: `roles.${name}.inlinePolicies.${policy}`,
        document,
      })),
    ],
    ...(boundary === undefined
      ? {}
      : { permissionsBoundary: { name: `policies.${boundary}`, document: config.policies[boundary] } }),
    guardrails: config.guardrails.map((document, index) => ({ name: `guardrails[${index}]`, document })),
    ...(resourceEntry?.policy === undefined
      ? {}
      : { resourcePolicy: { name: `resources[${resourceIndex}].policy`, document: resourceEntry.policy } }),
    principal: roleArnFor(config.partition, config.account, name),
  };
}
