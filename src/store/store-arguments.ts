import type { HashUpdate } from './store.js';

/**
 * Argument checks shared by the adapters. A bad TTL is a programmer error (TypeError), never a store
 * failure: letting it through would silently create records that never expire.
 */

/** Throws TypeError unless `ttlMs` is a positive, finite number of milliseconds; returns it as an integer. */
export function checkTtlMs(ttlMs: number): number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0)
    throw new TypeError('ttlMs must be a positive, finite number of milliseconds');
  // Rounding up keeps "lives at least ttlMs" true for fractional inputs.
  return Math.ceil(ttlMs);
}

/** Throws TypeError unless `value` is a string (keys, members, channels and values all are). */
export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
  return value;
}

/** Throws TypeError for a malformed hash update (programmer error): keys and fields are strings, amounts safe integers. */
export function checkHashUpdate(update: HashUpdate): void {
  checkString('key', update.key);
  checkTtlMs(update.ttlMs);
  for (const [field, amount] of Object.entries(update.increments ?? {})) {
    if (!Number.isSafeInteger(amount)) throw new TypeError(`increment of ${field} must be a safe integer`);
  }
  for (const value of Object.values(update.maxima ?? {})) checkString('maximum', value);
}

/** Throws TypeError unless `value` is a non-negative integer (paging offsets and counts). */
export function checkCount(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError('offset and count must be non-negative integers');
  return value;
}
