import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { splitSamlJsonBody } from '../../../../src/identity-providers/saml/saml-json-body.js';
import { SamlVerifierPool } from '../../../../src/identity-providers/saml/saml-verifier-pool.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('a SAML JSON body split off the event loop', () => {
  const pool = new SamlVerifierPool(1);
  afterAll(() => pool.close());

  it('gives back every other member as JSON.parse reads it, and SAMLAssertion as its UTF-8 bytes', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string().filter((key) => key !== 'SAMLAssertion'),
          fc.jsonValue(),
        ),
        fc.string({ unit: 'grapheme' }),
        (members, assertion) => {
          const body = utf8(JSON.stringify({ ...members, SAMLAssertion: assertion }));
          const split = splitSamlJsonBody(body);
          expect(split?.fields).toEqual(JSON.parse(JSON.stringify(members)));
          expect(new TextDecoder().decode(split?.assertion)).toBe(assertion);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves a body without a string SAMLAssertion whole, for the schema to judge', () => {
    expect(splitSamlJsonBody(utf8('{"SAMLAssertion":42,"RoleName":"x"}'))).toEqual({
      fields: { SAMLAssertion: 42, RoleName: 'x' },
    });
    expect(splitSamlJsonBody(utf8('[1, 2]'))).toEqual({ fields: [1, 2] });
    // body-parser reads an empty JSON body as {}.
    expect(splitSamlJsonBody(utf8(''))).toEqual({ fields: {} });
  });

  it('refuses what is not strict JSON: a bare value at the top, only spaces, a truncated text', () => {
    for (const text of ['"abc"', '42', 'null', ' ', ' \n', '{"a":', '{"a":1}x'])
      expect(splitSamlJsonBody(utf8(text))).toBeUndefined();
  });

  it('does the same in a verification worker, and the assertion comes back as bytes', async () => {
    const body = utf8(`\uFEFF {"RoleName":"Developer","SAMLAssertion":"PHNhbWxwOlJlc3BvbnNlLz4="}`);
    const split = await pool.splitJsonBody(body);
    expect(split?.fields).toEqual({ RoleName: 'Developer' });
    expect(split?.assertion).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(split?.assertion)).toBe('PHNhbWxwOlJlc3BvbnNlLz4=');
    expect(await pool.splitJsonBody(utf8('{"RoleName":'))).toBeUndefined();
  });
});
