/** The prefix of a mapping that reads an OIDC claim (`claim:email`). */
const CLAIM_PREFIX = 'claim:';

/**
 * The claim name a `claim:<name>` mapping reads. Config validation calls this too, so a bad mapping is
 * a programmer/config error (TypeError), never a login failure.
 */
export function parseClaimMapping(mapping: string, path = 'mapping'): string {
  if (!mapping.startsWith(CLAIM_PREFIX) || mapping.length === CLAIM_PREFIX.length) {
    throw new TypeError(`${path} must be "claim:<name>", got ${JSON.stringify(mapping)}`);
  }
  return mapping.slice(CLAIM_PREFIX.length);
}

/** A claim value as the string list every attribute is kept as (objects as JSON, null/undefined as none). */
export function claimValues(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item: unknown) => claimValues(item));
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return [String(value)];
  return [JSON.stringify(value)];
}
