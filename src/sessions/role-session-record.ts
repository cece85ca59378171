import type { RoleSession } from './role-session.js';

/**
 * Parses a session record read from the store; undefined for anything that does not have the shape
 * (the store is trusted, but a corrupt or foreign value must not become a valid session).
 */
export function parseRoleSession(raw: string): RoleSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  const strings = [
    'id',
    'roleName',
    'roleArn',
    'principalArn',
    'sessionName',
    'provider',
    'subject',
    'audience',
    'accessKeyId',
  ];
  if (!strings.every((name) => typeof r[name] === 'string')) return undefined;
  if (!['issuedAt', 'expiresAt', 'chain'].every((name) => Number.isSafeInteger(r[name]))) return undefined;
  if (typeof r['mfa'] !== 'boolean' || typeof r['hasSessionPolicy'] !== 'boolean') return undefined;
  if (!isStringArray(r['amr']) || !isStringArray(r['transitiveTagKeys'])) return undefined;
  if (!Array.isArray(r['sessionPolicies'])) return undefined;
  const tags = r['tags'];
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return undefined;
  if (!Object.values(tags).every((tag) => typeof tag === 'string')) return undefined;
  for (const name of ['scope', 'clientId', 'portalSessionId', 'parentSessionId'])
    if (r[name] !== undefined && typeof r[name] !== 'string') return undefined;
  if (r['ancestors'] !== undefined && !isAncestorList(r['ancestors'])) return undefined;
  if (r['secretAccessKey'] !== undefined && !isBlob(r['secretAccessKey'])) return undefined;
  return value as RoleSession;
}

function isAncestorList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((item: unknown) => {
      if (typeof item !== 'object' || item === null) return false;
      const a = item as Record<string, unknown>;
      return (
        ['id', 'roleName', 'provider', 'subject'].every((name) => typeof a[name] === 'string') &&
        Number.isSafeInteger(a['issuedAt'])
      );
    })
  );
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isBlob(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const blob = value as Record<string, unknown>;
  return ['iv', 'ciphertext', 'tag'].every((name) => typeof blob[name] === 'string');
}
