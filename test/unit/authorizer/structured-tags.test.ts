import { describe, expect, it } from 'vitest';
import { serializeTagsDictionary } from '../../../src/authorizer/structured-tags.js';

describe('X-Fedgate-Tags as an RFC 8941 dictionary', () => {
  it('lower-cases keys, sorts them and quotes values', () => {
    expect(serializeTagsDictionary({ Team: 'payments', costCenter: '42' })).toBe(
      'costcenter="42", team="payments"',
    );
  });
  it('escapes quotes and backslashes inside sf-strings', () => {
    expect(serializeTagsDictionary({ note: 'a "b" \\c' })).toBe('note="a \\"b\\" \\\\c"');
  });
  it('turns characters a dictionary key cannot hold into underscores and never starts with a digit', () => {
    expect(serializeTagsDictionary({ 'aws:Project/Name': 'x', '9lives': 'y' })).toBe(
      'aws_project_name="x", t9lives="y"',
    );
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
