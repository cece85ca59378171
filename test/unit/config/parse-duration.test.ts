import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/config/index.js';

describe('parseDuration', () => {
  it.each([
    [900, 900],
    ['900', 900],
    ['15m', 900],
    ['1h', 3600],
    ['12h', 43_200],
    ['7d', 604_800],
    ['1h30m', 5400],
    ['30s', 30],
    ['250ms', 0.25],
  ])('reads %s as %s seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each(['', 'h', '1 hour', '1.5h', '-1', '1w', '15M'])('rejects %j', (input) => {
    expect(() => parseDuration(input)).toThrow(TypeError);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %s', (input) => {
    expect(() => parseDuration(input)).toThrow(TypeError);
  });

  it('formats whole units back for messages', () => {
    expect([formatDuration(900), formatDuration(43_200), formatDuration(86_400), formatDuration(61)]).toEqual(
      ['15m', '12h', '1d', '61s'],
    );
  });
});
