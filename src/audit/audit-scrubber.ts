import type { AuditRecord } from './audit-events.js';

/** Longest string an audit record keeps; anything longer is likely a token, an assertion or a document. */
export const MAX_AUDIT_STRING_LENGTH = 512;

/** Why a value was withheld from an audit record. */
export type SecretKind = 'jwt' | 'saml' | 'pem' | 'too-long';

/** What replaces a withheld value: it names the kind, never any part of the value. */
export function redactedMarker(kind: SecretKind): string {
  return `[redacted:${kind}]`;
}

/** Nested objects deeper than this are dropped: audit details are flat by contract. */
const MAX_DEPTH = 3;

/** Candidate first segments of a compact JWS/JWE: base64url of `{` followed by `"` or whitespace. */
const COMPACT_JOSE = /(e[wy][A-Za-z0-9_-]{6,})\./;

/** `<saml…` and `<?xml` in clear, or the same base64-encoded (a POSTed SAMLResponse). */
const SAML = /<\s*\/?\s*(?:saml|\?xml)|PHNhbWw|PD94bWw/i;

const PEM = /-----BEGIN [A-Z0-9 ]*-----/;

/**
 * The kind of secret a string looks like, or undefined when it may be recorded. Deliberately eager on
 * shapes (a JWS header anywhere in the string, a PEM armour line, SAML markup) and on length, so that a
 * caller passing the wrong variable cannot leak a credential through the audit trail.
 */
export function secretKindOf(value: string): SecretKind | undefined {
  if (value.length > MAX_AUDIT_STRING_LENGTH) return 'too-long';
  if (PEM.test(value)) return 'pem';
  if (SAML.test(value)) return 'saml';
  if (containsCompactJose(value)) return 'jwt';
  return undefined;
}

/**
 * True when a substring is a compact JWS/JWE: a segment decoding to a JOSE header (`{` and `"alg"` or
 * the like) followed by a dot. Every start position is tried, so base64url text glued in front of the
 * token cannot hide it.
 */
function containsCompactJose(value: string): boolean {
  const candidates = new RegExp(COMPACT_JOSE.source, 'g');
  for (let match = candidates.exec(value); match !== null; match = candidates.exec(value)) {
    const header = Buffer.from(match[1] ?? '', 'base64url').toString('latin1');
    if (/^\s*\{/.test(header) && /"(?:alg|enc|typ|kid)"/.test(header)) return true;
    candidates.lastIndex = match.index + 1;
  }
  return false;
}

/**
 * Returns a copy of an audit record in which every string (top-level fields, details values, array
 * members and keys, at any depth) that looks like a token, an assertion, a key or a document is replaced
 * by a marker naming its kind. Values that are not JSON scalars, arrays or plain objects are dropped.
 */
export function scrubAuditRecord(record: AuditRecord): AuditRecord {
  return scrubObject(record as unknown as Record<string, unknown>, 0) as unknown as AuditRecord;
}

function scrubObject(source: Record<string, unknown>, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    // A key is data too: a map keyed by token would otherwise slip through.
    if (secretKindOf(key) !== undefined) continue;
    const scrubbed = scrubValue(value, depth);
    if (scrubbed !== undefined) result[key] = scrubbed;
  }
  return result;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    const kind = secretKindOf(value);
    return kind === undefined ? value : redactedMarker(kind);
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean' || value === null) return value;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value))
    return value.map((item: unknown) => scrubValue(item, depth + 1)).filter((item) => item !== undefined);
  if (typeof value === 'object' && isPlainObject(value))
    return scrubObject(value as Record<string, unknown>, depth + 1);
  return undefined;
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
