import { FedgateError } from '../errors/index.js';
import type { ContextValue } from '../policy/index.js';

/** Default report windows, in days. */
export const DEFAULT_DAYS = {
  lastAccessed: 400,
  unused: 90,
  generatePolicy: 90,
  findings: 90,
  overview: 30,
} as const;

/** A window in days: an integer from 1 to `max` (the retention); absent → `fallback`. ValidationError otherwise. */
export function parseDays(value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === '') return Math.min(fallback, max);
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > max)
    throw new FedgateError('ValidationError', `days must be a whole number from 1 to ${max} (the retention)`);
  return Number(text);
}

/** A role name as configuration writes them; ValidationError otherwise. */
export function parseRoleName(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+=,.@_-]{1,64}$/.test(value))
    throw new FedgateError('ValidationError', 'role must be a role name');
  return value;
}

/** A non-empty string of at most `max` characters (actions, resource ARNs); ValidationError otherwise. */
export function parseText(name: string, value: unknown, max = 2048): string {
  if (typeof value !== 'string' || value === '' || value.length > max)
    throw new FedgateError(
      'ValidationError',
      `${name} must be a non-empty string of at most ${max} characters`,
    );
  return value;
}

/** `key=value` pairs (a key given twice becomes multi-valued); at most 50. ValidationError otherwise. */
export function parseContextPairs(pairs: readonly unknown[]): Record<string, ContextValue> {
  if (pairs.length > 50) throw new FedgateError('ValidationError', 'at most 50 context entries');
  const context: Record<string, ContextValue> = {};
  for (const pair of pairs) {
    if (typeof pair !== 'string' || pair.length > 1024)
      throw new FedgateError('ValidationError', 'context entries are key=value');
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FedgateError('ValidationError', 'context entries are key=value');
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const existing = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
    if (existing === undefined) context[key] = value;
    else {
      const current = context[existing];
      context[existing] = [...(Array.isArray(current) ? (current as string[]) : [String(current)]), value];
    }
  }
  return context;
}
