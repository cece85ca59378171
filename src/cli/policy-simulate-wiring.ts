import { loadConfig } from '../config/index.js';
import { rolePolicyDocuments } from '../roles/index.js';
import { createPolicySimulateCommand } from './policy-simulate-command.js';

/** `fedgate policy simulate`, with `--config` resolving roles from a configuration file. */
export const policySimulateCommand = createPolicySimulateCommand(async (configPath) => {
  const config = await loadConfig(configPath);
  return (role: string, resource?: string) => rolePolicyDocuments(config, role, resource);
});
