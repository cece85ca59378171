/**
 * Serialises session tags as an RFC 8941 Dictionary for `X-Fedgate-Tags`.
 *
 * Dictionary keys must match `[a-z*][a-z0-9_.*-]*`. Tag keys are lower-cased (they are unique
 * case-insensitively, SPEC 5.4); any other character, and a leading digit, is escaped as `*` followed by the
 * two lower-case hex digits of each of its UTF-8 bytes (`aws:Project` → `aws*3aproject`). `*` cannot occur in a
 * tag key, so the escape is unambiguous and two tags never share a dictionary key.
 * Values are sf-strings when they are printable ASCII, else byte sequences (`:base64:`) of their UTF-8 bytes,
 * because an sf-string cannot carry anything else: nothing is lost or mangled.
 */
export function serializeTagsDictionary(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([key, value]) => [dictionaryKey(key), itemValue(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/** The dictionary key a tag key is sent under (see serializeTagsDictionary). */
export function dictionaryKey(key: string): string {
  let out = '';
  for (const char of key.toLowerCase()) {
    const allowed = out.length === 0 ? /[a-z]/ : /[a-z0-9_.-]/;
    out += allowed.test(char) ? char : escapeChar(char);
  }
  return out.length === 0 ? '*' : out;
}

function escapeChar(char: string): string {
  let out = '';
  for (const byte of Buffer.from(char, 'utf8')) out += `*${byte.toString(16).padStart(2, '0')}`;
  return out;
}

function itemValue(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `:${Buffer.from(value, 'utf8').toString('base64')}:`;
}
