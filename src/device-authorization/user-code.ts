import { randomInt } from 'node:crypto';

/**
 * RFC 8628 §6.1: base-20 letters, no vowels (no words are spelt by accident) and nothing that reads like a digit;
 * 8 of them give about 34.5 bits, ample for a code that lives minutes behind rate-limited endpoints.
 */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const USER_CODE_LENGTH = 8;

/** A fresh user code in its normalised form (`BDFHKMQR`). */
export function createUserCode(): string {
  let code = '';
  for (let index = 0; index < USER_CODE_LENGTH; index += 1)
    code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/**
 * What the person typed, normalised (RFC 8628 §6.1: case-insensitive, punctuation such as the dash ignored);
 * undefined when it cannot be one of our codes, so such input never reaches the store.
 */
export function normaliseUserCode(typed: unknown): string | undefined {
  if (typeof typed !== 'string' || typed.length > 32) return undefined;
  const letters = typed.toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== USER_CODE_LENGTH) return undefined;
  for (const letter of letters) if (!USER_CODE_ALPHABET.includes(letter)) return undefined;
  return letters;
}

/** The code as shown to people: two groups of four (`BDFH-KMQR`). */
export function displayUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
