/** One step of a path into the configuration: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * A path in the SPEC form `roles[2].trustPolicy.Statement[0].Condition`; keys that are not plain
 * identifiers are quoted (`policies["a.b"]`). The root is the empty string.
 */
export function formatConfigPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Joins a config path and a path relative to a value inside it (`roles[0].trustPolicy` + `Statement[0]`). */
export function joinConfigPath(base: string, relative: string): string {
  if (relative === '') return base;
  if (base === '') return relative;
  return relative.startsWith('[') ? `${base}${relative}` : `${base}.${relative}`;
}
