import { describe, expect, it } from 'vitest';
import { keyEncryptionKeyFrom } from '../../../src/config/index.js';

const KEK = 'k'.repeat(32);

describe('FEDGATE_KEY_ENCRYPTION_KEY', () => {
  it('is returned as set, for either store', () => {
    expect(keyEncryptionKeyFrom({ FEDGATE_KEY_ENCRYPTION_KEY: KEK }, { kind: 'redis' })).toBe(KEK);
    expect(keyEncryptionKeyFrom({ FEDGATE_KEY_ENCRYPTION_KEY: KEK }, { kind: 'memory' })).toBe(KEK);
  });

  it('may be absent with the embedded store, which lives in one process', () => {
    expect(keyEncryptionKeyFrom({}, { kind: 'memory' })).toBeUndefined();
  });

  it.each([
    ['missing', {}],
    ['31 characters long', { FEDGATE_KEY_ENCRYPTION_KEY: 'k'.repeat(31) }],
  ])(
    'is refused with a Redis store when %s, saying what is needed and not echoing the value',
    (_case, env) => {
      let thrown: unknown;
      try {
        keyEncryptionKeyFrom(env, { kind: 'redis' });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'InvalidConfiguration' });
      const detail = (thrown as { detail: string }).detail;
      expect(detail).toContain(
        'FEDGATE_KEY_ENCRYPTION_KEY must be set (at least 32 characters) with a Redis store',
      );
      expect(detail).not.toContain('kkkk');
    },
  );
});
