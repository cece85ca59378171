/**
 * Resource groups keep activity's cardinality bounded: a routed resource is recorded by its route's resource
 * template with the last parameter (the item: an order id, an object key) as `*` and the earlier ones (the
 * collection: a team, a bucket) kept, e.g. `arn:fedgate:orders:::order/${team}/${id}` → `…order/red/*`.
 * A group is an IAM resource pattern: the kept values have `$`, `*` and `?` escaped (`${$}`, `${*}`, `${?}`).
 */

type TemplatePart = string | { readonly param: string };

interface ParsedTemplate {
  readonly parts: readonly TemplatePart[];
  /** Index in `parts` of the last parameter, -1 when there is none. */
  readonly last: number;
}

const parsed = new Map<string, ParsedTemplate>();
/** Templates come from configuration; the bound only guards against a caller passing request data. */
const MAX_TEMPLATES = 10_000;

/** The group of a resource rendered from `template` with `params` (route path parameters). */
export function resourceGroup(template: string, params: Readonly<Record<string, string>>): string {
  let t = parsed.get(template);
  if (t === undefined) {
    t = parseTemplate(template);
    if (parsed.size >= MAX_TEMPLATES) parsed.clear();
    parsed.set(template, t);
  }
  if (t.last < 0) return template;
  let out = '';
  const parts = t.parts;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as TemplatePart;
    if (typeof part === 'string') out += part;
    else out += i === t.last ? '*' : literalPattern(params[part.param] ?? '');
  }
  return out;
}

function parseTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const pattern = /\$\{([A-Za-z0-9_-]+)\}/g;
  let at = 0;
  let last = -1;
  for (const match of template.matchAll(pattern)) {
    if (match.index > at) parts.push(template.slice(at, match.index));
    last = parts.length;
    parts.push({ param: match[1] ?? '' });
    at = match.index + match[0].length;
  }
  if (at < template.length) parts.push(template.slice(at));
  return { parts, last };
}

const SPECIAL = /[$*?]/g;

/** `value` as an IAM resource pattern matching exactly itself (IAM-SEMANTICS 1.5 escapes). */
export function literalPattern(value: string): string {
  if (value.indexOf('$') < 0 && value.indexOf('*') < 0 && value.indexOf('?') < 0) return value;
  return value.replace(SPECIAL, (c) => `\${${c}}`);
}
