import { describe, expect, it } from 'vitest';
import { FORM_PARAMETER_LIMIT, formRecord, splitForm } from '../../../src/http/form-fields.js';

const body = (text: string): Buffer => Buffer.from(text, 'utf8');
const none: ReadonlySet<string> = new Set();

describe('splitForm', () => {
  it('decodes fields as the urlencoded parser does: + is a space, escapes, a bad escape kept as written', () => {
    expect(splitForm(body('a=1+2&b=%C3%A9t%C3%A9&c&d=%zz&&e='), { keepEncoded: none })).toEqual([
      ['a', '1 2'],
      ['b', 'été'],
      ['c', ''],
      ['d', '%zz'],
      ['e', ''],
    ]);
  });

  it('keeps the value of a keepEncoded field as the body carried it, escapes included', () => {
    const fields = splitForm(body('RelayState=%2Fhome&SAMLResponse=PHA%2BeA%3D%3D'), {
      keepEncoded: new Set(['SAMLResponse']),
    });
    expect(fields[0]).toEqual(['RelayState', '/home']);
    const [name, value] = fields[1] ?? [];
    expect(name).toBe('SAMLResponse');
    expect(value).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(value as Uint8Array).toString('utf8')).toBe('PHA%2BeA%3D%3D');
  });

  it('a repeated name keeps every value, so a second SAMLResponse cannot hide behind the first', () => {
    const record = formRecord(
      splitForm(body('SAMLResponse=a&SAMLResponse=b&x=1'), { keepEncoded: new Set(['SAMLResponse']) }),
    );
    expect(Array.isArray(record['SAMLResponse'])).toBe(true);
    expect((record['SAMLResponse'] as Uint8Array[]).map((value) => Buffer.from(value).toString())).toEqual([
      'a',
      'b',
    ]);
    expect(record['x']).toBe('1');
  });

  it('too-many-parameters: more fields than the app-wide limit is a ValidationError', () => {
    const fields = (count: number): Buffer =>
      body(Array.from({ length: count }, (_, i) => `p${i}=1`).join('&'));
    expect(splitForm(fields(FORM_PARAMETER_LIMIT), { keepEncoded: none })).toHaveLength(FORM_PARAMETER_LIMIT);
    expect(() => splitForm(fields(FORM_PARAMETER_LIMIT + 1), { keepEncoded: none })).toThrow(
      expect.objectContaining({ code: 'ValidationError' }),
    );
  });
});
