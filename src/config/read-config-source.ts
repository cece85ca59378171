import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { closestMatch } from '../text/closest-match.js';
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigIssue } from './config-error.js';
import { formatConfigPath, type PathSegment } from './config-path.js';
import {
  jsonPositions,
  locateJsonSyntaxError,
  nearestPosition,
  yamlPositions,
  type SourceLocation,
  type SourcePosition,
} from './source-location.js';
import { parseStrictJson } from './strict-json.js';

/** The configuration file before schema validation: substituted, file references read. */
export interface ConfigSource {
  /** The tree with `${VAR}` substituted and `{ file }` values replaced by their content. */
  readonly raw: unknown;
  /** Problems found reading the file (syntax, unset variables, unreadable references). */
  readonly issues: readonly ConfigIssue[];
  /** Absolute paths of the file and of every file it references, for the watcher. */
  readonly files: readonly string[];
  /**
   * Where the value at a config path (`roles[0].policies[1]`) was written: its line and column in the
   * configuration file, or the referenced file it came from. The nearest enclosing value when the path
   * itself is absent (a required key).
   */
  locate(path: string): SourceLocation;
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
  const references = new Map<string, ReferencedFile>();
  let positions = new Map<string, SourcePosition>();
  const locate = (at: string): SourceLocation => locateIn(at, absolute, positions, references);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    issues.push({
      path: '',
      message: `cannot read config file ${path} (${errorCode(error)})`,
      location: { file: absolute },
    });
    return { raw: undefined, issues, files: [...files], locate };
  }
  const parsed = parseText(text, absolute, issues);
  if (issues.length > 0) return { raw: undefined, issues, files: [...files], locate };
  positions = parsed.positions;
  const baseDir = dirname(absolute);
  const raw = await resolveNode(parsed.value, [], { env, baseDir, issues, files, references });
  return { raw, issues, files: [...files], locate };
}

interface ResolveContext {
  readonly env: NodeJS.ProcessEnv;
  readonly baseDir: string;
  readonly issues: ConfigIssue[];
  readonly files: Set<string>;
  /** Config path of each `{ file }` reference → the absolute path of the file it names. */
  readonly references: Map<string, ReferencedFile>;
}

interface ParsedText {
  readonly value: unknown;
  readonly positions: Map<string, SourcePosition>;
}

function parseText(text: string, file: string, issues: ConfigIssue[]): ParsedText {
  const none: ParsedText = { value: undefined, positions: new Map() };
  if (extname(file).toLowerCase() === '.json') {
    // The policy engine's strict parser: a duplicate key is an error, not the last value silently winning.
    const parsed = parseStrictJson(text);
    if (parsed.ok) return { value: parsed.value, positions: new Map() };
    const { reason, position } = locateJsonSyntaxError(text, parsed.message);
    issues.push({ path: '', message: `invalid JSON: ${reason}`, location: { file, ...position } });
    return none;
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  for (const error of document.errors) {
    const where = error.linePos?.[0];
    // The library's message repeats the position and quotes the source; the first sentence is the reason.
    const reason = (error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '');
    issues.push({
      path: '',
      message: `invalid YAML: ${reason}`,
      location: where === undefined ? { file } : { file, line: where.line, column: where.col },
    });
  }
  if (document.errors.length > 0) return none;
  try {
    const value = document.toJS({ maxAliasCount: 100 }) as unknown;
    return { value, positions: yamlPositions(document.contents, lineCounter) };
  } catch (error) {
    // The yaml library refuses alias bombs (billion laughs) here.
    issues.push({
      path: '',
      message: `invalid YAML: ${(error as Error).message.split('\n')[0] ?? 'unreadable'}`,
      location: { file },
    });
    return none;
  }
}

function locateIn(
  path: string,
  file: string,
  positions: ReadonlyMap<string, SourcePosition>,
  references: ReadonlyMap<string, ReferencedFile>,
): SourceLocation {
  let referenced: ReferencedFile | undefined;
  let longest = -1;
  for (const [at, referencedFile] of references) {
    if (isWithinPath(path, at) && at.length > longest) {
      referenced = referencedFile;
      longest = at.length;
    }
  }
  if (referenced !== undefined) {
    // The place inside the referenced file: the path below the reference, e.g. `Statement[0].Effect`.
    const inner = path.slice(longest).replace(/^\./, '');
    return { file: referenced.file, ...nearestPosition(referenced.positions, inner) };
  }
  return { file, ...nearestPosition(positions, path) };
}

function isWithinPath(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

/** `roles[0].policies` for `roles[0].policies[1]`; `roles[0]` for `roles[0].policies`; '' at the top. */
/** A `{ file }` reference: the file it names and, for JSON, where each of its values is written. */
interface ReferencedFile {
  readonly file: string;
  readonly positions: ReadonlyMap<string, SourcePosition>;
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
    return isFilesystemPathPosition(path) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)
      ? resolve(context.baseDir, value)
      : value;
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
    const code = errorCode(error);
    const hint = code === 'ENOENT' ? await similarFileHint(name, absolute) : '';
    context.issues.push({ path: where, message: `cannot read file ${name} (${code}).${hint}` });
    return node;
  }
  const json = extname(absolute).toLowerCase() === '.json';
  context.references.set(where, { file: absolute, positions: json ? jsonPositions(content) : new Map() });
  if (!json) return content.trimEnd();
  const parsed = parseStrictJson(content);
  if (parsed.ok) return parsed.value;
  const { reason, position } = locateJsonSyntaxError(content, parsed.message);
  context.issues.push({
    path: where,
    message: `file ${name} is not valid JSON: ${reason}`,
    location: { file: absolute, ...position },
  });
  return undefined;
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
    case 'profiles':
      return typeof index === 'number' && path.length === 3 && field === 'sessionPolicy';
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
      path.length === 4) ||
    // A CRL source that is not a URL is a file path.
    (section === 'trustAnchors' &&
      typeof second === 'number' &&
      third === 'crls' &&
      typeof fourth === 'number' &&
      path.length === 4)
  );
}

/** ` Did you mean "x"?` naming, as it was written, a file of the same folder whose name is close to the missing one. */
async function similarFileHint(written: string, absolute: string): Promise<string> {
  try {
    const match = closestMatch(basename(absolute), await readdir(dirname(absolute)));
    if (match === undefined) return '';
    const folder = dirname(written);
    return ` Did you mean "${folder === '.' ? match : join(folder, match)}"?`;
  } catch {
    return '';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'unreadable';
}
