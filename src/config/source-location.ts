import { isAbsolute, relative } from 'node:path';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { formatConfigPath, type PathSegment } from './config-path.js';

/** Where a configuration value was written: the file (absolute), and the line and column when known. */
export interface SourceLocation {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/**
 * `file:line:column` (or `file` alone) for a person, the file relative to `cwd` when it lies below it.
 * The form editors and terminals turn into a link to the place.
 */
export function formatSourceLocation(location: SourceLocation, cwd: string): string {
  const shown = relative(cwd, location.file);
  const file = shown !== '' && !shown.startsWith('..') && !isAbsolute(shown) ? shown : location.file;
  if (location.line === undefined) return file;
  return location.column === undefined
    ? `${file}:${location.line}`
    : `${file}:${location.line}:${location.column}`;
}

/**
 * Positions of every key and value of a parsed YAML document by config path (`roles[0].policies[1]`), so
 * that a problem found later (by the schema, by the policy validator) can name its line and column.
 */
export function yamlPositions(contents: Node | null, lineCounter: LineCounter): Map<string, SourcePosition> {
  const positions = new Map<string, SourcePosition>();
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== 'string' && typeof key !== 'number') continue;
        const child = [...path, String(key)];
        const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
        if (keyRange !== undefined && keyRange !== null)
          positions.set(formatConfigPath(child), at(keyRange[0]));
        walk(pair.value, child);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const child = [...path, index];
        const range = (item as Node | null)?.range;
        if (range !== undefined && range !== null) positions.set(formatConfigPath(child), at(range[0]));
        walk(item, child);
      });
    }
  };
  walk(contents, []);
  return positions;
}

/** A line and column, both from 1. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * The line and column of a JSON syntax error, from either JSON.parse's "at position N" or "(line L column C)"
 * forms or the strict policy parser's "(line L, column C)"; the reason without the position text.
 */
export function locateJsonSyntaxError(
  text: string,
  message: string,
): { readonly reason: string; readonly position?: SourcePosition } {
  const lineColumn = /\s*\(line (\d+),? column (\d+)\)/.exec(message);
  if (lineColumn !== null) {
    return {
      reason: message.replace(lineColumn[0], '').replace(/\s+at position \d+/, ''),
      position: { line: Number(lineColumn[1]), column: Number(lineColumn[2]) },
    };
  }
  const offset = /\s+at position (\d+)/.exec(message);
  if (offset === null) return { reason: message };
  const before = text.slice(0, Number(offset[1]));
  return {
    reason: message.replace(offset[0], ''),
    position: { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') },
  };
}

/**
 * Positions of every key and value of a JSON text by path (`Statement[0].Effect`), as `yamlPositions` gives them:
 * JSON is YAML's flow syntax. Empty when the text does not parse (its syntax error is reported elsewhere).
 */
export function jsonPositions(text: string): Map<string, SourcePosition> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (document.errors.length > 0) return new Map();
  return yamlPositions(document.contents, lineCounter);
}

/** The position of a path, or of its nearest ancestor that has one. */
export function nearestPosition(
  positions: ReadonlyMap<string, SourcePosition>,
  path: string,
): SourcePosition | undefined {
  for (let at = path; ; at = parentPath(at)) {
    const position = positions.get(at);
    if (position !== undefined) return position;
    if (at === '') return undefined;
  }
}

/** The path one step up: `a.b[2]` → `a.b` → `a` → ``. */
export function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}
