import type { z } from 'zod';
import { checkPolicyDocuments, type Finding } from './check-config-policies.js';
import { checkConfigRules } from './check-config-rules.js';
import type { ConfigIssue } from './config-error.js';
import { formatConfigPath } from './config-path.js';
import { deepFreeze } from './deep-freeze.js';
import { readConfigSource } from './read-config-source.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';

/** Everything known about a configuration file: the config when the schema accepts it, and all findings. */
export interface ConfigInspection {
  /** The resolved, frozen config; undefined when `issues` is not empty. */
  readonly config: GatewayConfig | undefined;
  /** Schema, syntax, substitution and cross-reference problems: each one makes the file invalid. */
  readonly issues: readonly ConfigIssue[];
  /** Policy findings of every severity; those with severity `error` also make the file invalid. */
  readonly findings: readonly Finding[];
  /** Absolute paths of the file and of the files it references. */
  readonly files: readonly string[];
}

/**
 * Reads and validates a configuration file without throwing for bad input: every problem is collected,
 * policies are checked even when other parts of the file are wrong.
 */
export async function inspectConfig(path: string, env: NodeJS.ProcessEnv): Promise<ConfigInspection> {
  const source = await readConfigSource(path, env);
  if (source.raw === undefined && source.issues.length > 0) {
    return { config: undefined, issues: source.issues, findings: [], files: source.files };
  }
  const parsed = gatewayConfigSchema.safeParse(source.raw);
  const schemaIssues = parsed.success ? [] : zodIssues(parsed.error.issues, source.raw);
  const failed = source.issues.map((issue) => issue.path);
  // A value that could not be read is already reported; what the schema and rules say about its absence is noise.
  const derived = [...schemaIssues, ...checkConfigRules(source.raw)].filter(
    (issue) => !failed.some((path) => isWithin(issue.path, path)),
  );
  const issues = dedupe([...source.issues, ...derived]);
  const findings = checkPolicyDocuments(source.raw).filter(
    (finding) => !failed.some((path) => isWithin(finding.path, path)),
  );
  const config = parsed.success && issues.length === 0 ? deepFreeze(parsed.data) : undefined;
  return { config, issues, findings, files: source.files };
}

function zodIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatConfigPath([...issue.path, key]),
        message: 'unknown key',
      }));
    }
    const path = formatConfigPath(issue.path);
    if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) {
      return [{ path, message: 'is required' }];
    }
    return [{ path, message: issue.message }];
  });
}

function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let node = tree;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** True when `path` is `ancestor` or lies inside it (`a.b[0]` is within `a.b`). */
function isWithin(path: string, ancestor: string): boolean {
  if (ancestor === '') return true;
  return path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

function dedupe(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
