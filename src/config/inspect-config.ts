import type { z } from 'zod';
import { checkPolicyDocuments, type Finding } from './check-config-policies.js';
import { checkConfigRules } from './check-config-rules.js';
import { checkProviderFindings } from './check-provider-findings.js';
import type { ConfigIssue } from './config-error.js';
import { formatConfigPath } from './config-path.js';
import { deepFreeze } from './deep-freeze.js';
import { readConfigSource } from './read-config-source.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';
import { withSuggestion } from '../text/closest-match.js';

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
  // Each problem names the place it was written: file, line and column.
  const issues = dedupe([...source.issues, ...derived]).map((issue) =>
    issue.location === undefined ? { ...issue, location: source.locate(issue.path) } : issue,
  );
  const findings = [...checkPolicyDocuments(source.raw), ...checkProviderFindings(source.raw)]
    .filter((finding) => !failed.some((path) => isWithin(finding.path, path)))
    .map((finding) => ({ ...finding, location: source.locate(finding.path) }));
  const config = parsed.success && issues.length === 0 ? deepFreeze(parsed.data) : undefined;
  return { config, issues, findings, files: source.files };
}

function zodIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(gatewayConfigSchema, issue.path);
      return issue.keys.map((key) => ({
        path: formatConfigPath([...issue.path, key]),
        message: withSuggestion('unknown key', key, known),
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

/**
 * The keys the schema accepts for the object at `path`, found by walking the schema's definition (through
 * optional, default, transform and union wrappers), for a "did you mean" on an unknown key.
 */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let candidates: z.core.$ZodType[] = [schema];
  for (const segment of path) {
    candidates = candidates
      .flatMap((candidate) => objectsOf(candidate))
      .flatMap((object) => {
        const def = object._zod.def as unknown as Record<string, unknown>;
        if (def.type === 'object') {
          const child = (def.shape as Record<string, z.core.$ZodType | undefined>)[String(segment)];
          return child === undefined ? [] : [child];
        }
        if (def.type === 'array') return [def.element as z.core.$ZodType];
        if (def.type === 'record') return [def.valueType as z.core.$ZodType];
        return [];
      });
  }
  const keys = candidates
    .flatMap((candidate) => objectsOf(candidate))
    .flatMap((object) => {
      const def = object._zod.def as unknown as Record<string, unknown>;
      return def.type === 'object' ? Object.keys(def.shape as object) : [];
    });
  return [...new Set(keys)];
}

/** The schema itself with its wrappers taken off; each member of a union. */
function objectsOf(schema: z.core.$ZodType, depth = 0): z.core.$ZodType[] {
  if (depth > 16) return [];
  const def = schema._zod.def as unknown as Record<string, unknown>;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
    case 'catch':
    case 'prefault':
      return objectsOf(def.innerType as z.core.$ZodType, depth + 1);
    case 'pipe': {
      const input = def.in as z.core.$ZodType;
      const inner = (input._zod.def as unknown as { type: string }).type === 'transform' ? def.out : input;
      return objectsOf(inner as z.core.$ZodType, depth + 1);
    }
    case 'union':
      return (def.options as z.core.$ZodType[]).flatMap((option) => objectsOf(option, depth + 1));
    case 'lazy':
      return objectsOf((def.getter as () => z.core.$ZodType)(), depth + 1);
    default:
      return [schema];
  }
}
