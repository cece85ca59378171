import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from './config-error.js';
import { formatConfigPath, type PathSegment } from './config-path.js';

/** The configuration file before schema validation: substituted, file references read. */
export interface ConfigSource {
  /** The tree with `${VAR}` substituted and `{ file }` values replaced by their content. */
  readonly raw: unknown;
  /** Problems found reading the file (syntax, unset variables, unreadable references). */
  readonly issues: readonly ConfigIssue[];
  /** Absolute paths of the file and of every file it references, for the watcher. */
  readonly files: readonly string[];
}

const ENV_REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Reads a YAML or JSON configuration file, substitutes `${VAR}` / `${VAR:-default}` in string values and
 * replaces `{ file: path }` values with the file's content (relative to the config file; `.json` parsed).
 * Policy documents and route resource templates are left literal: their `${…}` are policy variables and
 * path parameters, not environment variables. Never throws for bad input: problems are returned as issues.
 */
export async function readConfigSource(path: string, env: NodeJS.ProcessEnv): Promise<ConfigSource> {
  const absolute = resolve(path);
  const issues: ConfigIssue[] = [];
  const files = new Set<string>([absolute]);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    issues.push({ path: '', message: `cannot read config file ${path} (${errorCode(error)})` });
    return { raw: undefined, issues, files: [...files] };
  }
  const parsed = parseText(text, extname(absolute), issues);
  if (issues.length > 0) return { raw: undefined, issues, files: [...files] };
  const baseDir = dirname(absolute);
  const raw = await resolveNode(parsed, [], { env, baseDir, issues, files });
  return { raw, issues, files: [...files] };
}

interface ResolveContext {
  readonly env: NodeJS.ProcessEnv;
  readonly baseDir: string;
  readonly issues: ConfigIssue[];
  readonly files: Set<string>;
}

function parseText(text: string, extension: string, issues: ConfigIssue[]): unknown {
  if (extension.toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      issues.push({ path: '', message: `invalid JSON: ${(error as Error).message}` });
      return undefined;
    }
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  for (const error of document.errors) {
    const where = error.linePos?.[0];
    const at = where === undefined ? '' : ` at line ${where.line}, column ${where.col}`;
    issues.push({ path: '', message: `invalid YAML${at}: ${error.message.split('\n')[0] ?? error.code}` });
  }
  if (document.errors.length > 0) return undefined;
  try {
    return document.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    // The yaml library refuses alias bombs (billion laughs) here.
    issues.push({
      path: '',
      message: `invalid YAML: ${(error as Error).message.split('\n')[0] ?? 'unreadable'}`,
    });
    return undefined;
  }
}

/** Deeper than any real configuration: past it the file is refused rather than walked (alias bombs). */
const MAX_CONFIG_DEPTH = 64;

async function resolveNode(
  node: unknown,
  path: PathSegment[],
  context: ResolveContext,
  ancestors: ReadonlySet<object> = new Set(),
): Promise<unknown> {
  if (typeof node === 'object' && node !== null) {
    // A YAML alias can make a value contain itself; walking it would never end.
    if (ancestors.has(node)) {
      context.issues.push({
        path: formatConfigPath(path),
        message: 'a YAML alias refers to a value that contains it',
      });
      return null;
    }
    if (path.length > MAX_CONFIG_DEPTH) {
      context.issues.push({
        path: formatConfigPath(path),
        message: `nested deeper than ${MAX_CONFIG_DEPTH} levels`,
      });
      return null;
    }
  }
  if (isFileReference(node)) return readReference(node, path, context);
  if (isLiteralPosition(path)) return node;
  if (typeof node === 'string') {
    // On failure the original text stays, so presence rules still see the value (the failure is reported).
    const value = substituteEnv(node, path, context);
    if (value === undefined) return node;
    return isFilesystemPathPosition(path) ? resolve(context.baseDir, value) : value;
  }
  if (Array.isArray(node)) {
    const inside = new Set([...ancestors, node]);
    const out: unknown[] = [];
    for (const [index, item] of node.entries())
      out.push(await resolveNode(item, [...path, index], context, inside));
    return out;
  }
  if (isPlainObject(node)) {
    const inside = new Set([...ancestors, node]);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node))
      out[key] = await resolveNode(value, [...path, key], context, inside);
    return out;
  }
  return node;
}

/** `{ file: "x" }` and nothing else: no schema object has `file` as its only key. */
function isFileReference(node: unknown): node is { file: string } {
  return isPlainObject(node) && Object.keys(node).length === 1 && typeof node.file === 'string';
}

/** The referenced file's content; on failure the reference itself, with the problem reported. */
async function readReference(
  node: { file: string },
  path: PathSegment[],
  context: ResolveContext,
): Promise<unknown> {
  const where = formatConfigPath(path);
  const name = substituteEnv(node.file, [...path, 'file'], context);
  if (name === undefined) return node;
  const absolute = isAbsolute(name) ? name : resolve(context.baseDir, name);
  context.files.add(absolute);
  let content: string;
  try {
    content = await readFile(absolute, 'utf8');
  } catch (error) {
    context.issues.push({ path: where, message: `cannot read file ${name} (${errorCode(error)})` });
    return node;
  }
  if (extname(absolute).toLowerCase() !== '.json') return content.trimEnd();
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    context.issues.push({
      path: where,
      message: `file ${name} is not valid JSON: ${(error as Error).message}`,
    });
    return undefined;
  }
}

function substituteEnv(value: string, path: PathSegment[], context: ResolveContext): string | undefined {
  let missing = false;
  const result = value.replace(
    ENV_REFERENCE,
    (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const set = name === undefined ? undefined : context.env[name];
      if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
      if (set !== undefined) return set;
      missing = true;
      context.issues.push({
        path: formatConfigPath(path),
        message: `environment variable ${name} is not set (write \${${name}:-default} for a default)`,
      });
      return match;
    },
  );
  return missing ? undefined : result;
}

/** Values whose `${…}` belong to another language: policy documents and route resource templates. */
function isLiteralPosition(path: readonly PathSegment[]): boolean {
  const [section, index, field, name] = path;
  switch (section) {
    case 'policies':
      return path.length === 2;
    case 'guardrails':
      return path.length === 2;
    case 'roles':
      return (
        typeof index === 'number' &&
        ((path.length === 3 && field === 'trustPolicy') ||
          (path.length === 4 && field === 'inlinePolicies' && typeof name === 'string'))
      );
    case 'resources':
      return path.length === 3 && field === 'policy';
    case 'routes':
      return path.length === 3 && field === 'resource';
    default:
      return false;
  }
}

/** Filesystem paths in the config, resolved relative to the config file like `{ file }` references. */
function isFilesystemPathPosition(path: readonly PathSegment[]): boolean {
  const [section, second, third, fourth] = path;
  return (
    (section === 'signing' && second === 'keyFile' && path.length === 2) ||
    (section === 'audit' &&
      second === 'sinks' &&
      typeof third === 'number' &&
      fourth === 'path' &&
      path.length === 4)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unreadable';
}
