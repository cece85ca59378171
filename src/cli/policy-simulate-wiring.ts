import { loadConfig, type GatewayConfig } from '../config/index.js';
import type { RolePolicyDocuments } from '../policy/index.js';
import { roleArn } from '../roles/index.js';
import { createPolicySimulateCommand } from './policy-simulate-command.js';

/** The role's configured documents, as `fedgate policy simulate --config` uses them. */
export function rolePolicyDocuments(config: GatewayConfig, name: string): RolePolicyDocuments | undefined {
  const role = config.roles.find((candidate) => candidate.name === name);
  if (role === undefined) return undefined;
  const boundary = role.permissionsBoundary;
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
    principal: roleArn(config.partition, config.account, name),
  };
}

/** `fedgate policy simulate`, with `--config` resolving roles from a configuration file. */
export const policySimulateCommand = createPolicySimulateCommand(async (configPath) => {
  const config = await loadConfig(configPath);
  return (role: string) => rolePolicyDocuments(config, role);
});
