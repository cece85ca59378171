/**
 * Serialises session tags as an RFC 8941 Dictionary for `X-Fedgate-Tags`.
 * Dictionary keys must match `[a-z*][a-z0-9_.*-]*`: tag keys are lower-cased (they are unique
 * case-insensitively, SPEC 5.4) and any other character becomes `_`. Values are sf-strings when they are
 * printable ASCII, else byte sequences (`:base64:`) of their UTF-8 bytes, so nothing is lost or mangled.
 */
export function serializeTagsDictionary(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([key, value]) => [dictionaryKey(key), itemValue(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

function dictionaryKey(key: string): string {
  let out = key.toLowerCase().replace(/[^a-z0-9_.*-]/g, '_');
  if (!/^[a-z*]/.test(out)) out = `t${out}`;
  return out;
}

function itemValue(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `:${Buffer.from(value, 'utf8').toString('base64')}:`;
}
