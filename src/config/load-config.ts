import { ConfigError, type ConfigIssue } from './config-error.js';
import { inspectConfig } from './inspect-config.js';
import type { Finding } from './check-config-policies.js';
import type { GatewayConfig } from './schema.js';

export { ConfigError } from './config-error.js';
export { parseDuration } from './parse-duration.js';

/** Options of loadConfig. */
export interface LoadConfigOptions {
  /** Variables for `${VAR}` substitution; defaults to process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Loads, substitutes, validates and resolves a YAML or JSON configuration file, policies included.
 * Throws ConfigError listing every problem with its path; the result is deep-frozen.
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<GatewayConfig> {
  const inspection = await inspectConfig(path, options.env ?? process.env);
  const errors = [...inspection.issues, ...policyErrors(inspection.findings)];
  if (inspection.config === undefined || errors.length > 0) throw new ConfigError(errors, path);
  return inspection.config;
}

/** Policy findings that make a configuration invalid, as config issues. */
export function policyErrors(findings: readonly Finding[]): ConfigIssue[] {
  return findings
    .filter((finding) => finding.severity === 'error')
    .map((finding) => ({
      path: finding.path,
      message: `${finding.message} (${finding.code})`,
      ...(finding.location === undefined ? {} : { location: finding.location }),
    }));
}
