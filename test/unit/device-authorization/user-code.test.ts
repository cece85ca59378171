import { describe, expect, it } from 'vitest';
import {
  createUserCode,
  displayUserCode,
  normaliseUserCode,
} from '../../../src/device-authorization/user-code.js';

describe('user codes (RFC 8628 §6.1)', () => {
  it('are eight letters of the base-20 alphabet, shown as two groups of four', () => {
    for (let index = 0; index < 200; index += 1) {
      const code = createUserCode();
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
      expect(displayUserCode(code)).toBe(`${code.slice(0, 4)}-${code.slice(4)}`);
    }
  });

  it('are read case-insensitively, with the dash and spaces ignored', () => {
    expect(normaliseUserCode('wdjb-mjht')).toBe('WDJBMJHT');
    expect(normaliseUserCode(' WDJB MJHT ')).toBe('WDJBMJHT');
  });

  it('anything else never reaches the store: vowels, digits, wrong lengths, non-strings', () => {
    for (const typed of [
      'WDJA-MJHT',
      'WDJ0-MJHT',
      'WDJB-MJH',
      'WDJB-MJHTX',
      '',
      42,
      undefined,
      'x'.repeat(40),
    ])
      expect(normaliseUserCode(typed)).toBeUndefined();
  });
});
