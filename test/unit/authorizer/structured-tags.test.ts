import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dictionaryKey, serializeTagsDictionary } from '../../../src/authorizer/structured-tags.js';

describe('X-Fedgate-Tags as an RFC 8941 dictionary', () => {
  it('lower-cases keys, sorts them and quotes values', () => {
    expect(serializeTagsDictionary({ Team: 'payments', costCenter: '42' })).toBe(
      'costcenter="42", team="payments"',
    );
  });
  it('escapes quotes and backslashes inside sf-strings', () => {
    expect(serializeTagsDictionary({ note: 'a "b" \\c' })).toBe('note="a \\"b\\" \\\\c"');
  });
  it('escapes characters a dictionary key cannot hold as *hex, so the key stays valid and unambiguous', () => {
    expect(serializeTagsDictionary({ 'aws:Project/Name': 'x', '9lives': 'y', 'cost center': 'z' })).toBe(
      '*39lives="y", aws*3aproject*2fname="x", cost*20center="z"',
    );
  });

  it('two tag keys that differ only in punctuation never collide in the dictionary', () => {
    const keys = ['a:b', 'a/b', 'a_b', 'a.b', 'a-b', 'a b', 'a=b', 'a+b', 'a@b'].map(dictionaryKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('every dictionary key is a valid RFC 8941 key, whatever the tag key', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), (key) => {
        expect(dictionaryKey(key)).toMatch(/^[a-z*][a-z0-9_.*-]*$/);
      }),
    );
  });

  it('a value never breaks out of the header line, even with CR/LF inside', () => {
    const header = serializeTagsDictionary({ team: 'a\r\nX-Evil: 1' });
    expect(header).not.toMatch(/[\r\n]/);
    expect(header).toMatch(/^team=:[A-Za-z0-9+/=]+:$/);
  });
  it('sends non-ASCII values as byte sequences so they cannot be mangled', () => {
    expect(serializeTagsDictionary({ city: 'Zürich' })).toBe(
      `city=:${Buffer.from('Zürich').toString('base64')}:`,
    );
  });
  it('an empty tag set is an empty header value', () => {
    expect(serializeTagsDictionary({})).toBe('');
  });
});
