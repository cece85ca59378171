import { describe, expect, it } from 'vitest';
import { parseCookies, readCredential } from '../../../src/sessions/index.js';

const browser = { cookie: true } as const;
const api = { cookie: false } as const;
const token = (reading: ReturnType<typeof readCredential>): string | undefined =>
  reading.status === 'present' ? reading.credential.token : undefined;

describe('the one reader of session credentials', () => {
  it('Authorization: Bearer first, case-insensitive scheme', () => {
    const reading = readCredential(
      { authorization: 'bearer abc.def.ghi', cookie: 'fedgate_session=other' },
      browser,
    );
    expect(reading).toEqual({
      status: 'present',
      credential: { kind: 'session-token', from: 'bearer', token: 'abc.def.ghi' },
    });
  });
  it('the fedgate_session cookie otherwise, not a cookie whose name merely ends the same', () => {
    expect(token(readCredential({ cookie: 'x_fedgate_session=no; fedgate_session=yes' }, browser))).toBe(
      'yes',
    );
    expect(readCredential({ cookie: 'x_fedgate_session=no' }, browser)).toEqual({ status: 'absent' });
  });
  it('APIs read no cookie', () => {
    expect(readCredential({ cookie: 'fedgate_session=yes' }, api)).toEqual({ status: 'absent' });
  });
  it('another scheme is no credential', () => {
    expect(readCredential({ authorization: 'Basic dXNlcjpwYXNz' }, api)).toEqual({ status: 'absent' });
  });
  it('an empty, non-token or oversized bearer is malformed: present but refused', () => {
    for (const authorization of [
      'Bearer ',
      'Bearer',
      'Bearer a b',
      'Bearer a"b',
      `Bearer ${'a'.repeat(9000)}`,
    ])
      expect(readCredential({ authorization }, api)).toEqual({ status: 'malformed' });
    expect(readCredential({ cookie: 'fedgate_session=' }, browser)).toEqual({ status: 'malformed' });
  });
});

describe('the one cookie parser', () => {
  it('first value wins, quotes are dropped, percent-encoding decoded where valid', () => {
    expect(parseCookies('a=1; a=2; b="x y"; c=%41; d=%zz')).toMatchObject({
      a: '1',
      b: 'x y',
      c: 'A',
      d: '%zz',
    });
  });
  it('a cookie named like an Object property is just a cookie', () => {
    const cookies = parseCookies('__proto__=x; constructor=y');
    expect(cookies['constructor']).toBe('y');
    expect(Object.getPrototypeOf(cookies)).toBeNull();
  });
});
