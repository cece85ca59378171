const UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/**
 * A duration in seconds from `900`, `"900"`, `"15m"`, `"1h"`, `"7d"` or a combination such as `"1h30m"`;
 * throws a TypeError that says which forms are accepted.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new TypeError('a duration must be a non-negative number of seconds');
    return value;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!DURATION.test(text)) {
    throw new TypeError(
      `"${value}" is not a duration: use seconds (900) or a number with a unit (15m, 1h, 7d)`,
    );
  }
  let seconds = 0;
  for (const match of text.matchAll(PART)) {
    seconds += Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? 1);
  }
  return seconds;
}

/** A duration in seconds as people read it (`3600` → `1h`), for messages. */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
