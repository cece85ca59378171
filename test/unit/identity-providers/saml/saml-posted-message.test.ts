import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PostedSamlMessage,
  decodePostedSamlMessage,
} from '../../../../src/identity-providers/saml/saml-posted-message.js';
import { MAX_SAML_MESSAGE_BYTES, utf8 } from '../../../../src/identity-providers/saml/saml-xml.js';

const XML = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_é"/>';
const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const formValue = (text: string): PostedSamlMessage =>
  PostedSamlMessage.fromFormValue(Buffer.from(encodeURIComponent(text), 'utf8'));
const refusedAs = (reason: string) => expect.objectContaining({ reason });

describe('a posted SAML message, decoded in the verification worker', () => {
  it('base64 text (JSON) and a form value still percent-encoded read as the same XML', () => {
    expect(decodePostedSamlMessage(PostedSamlMessage.fromBase64Text(base64(XML)))).toBe(XML);
    expect(decodePostedSamlMessage(formValue(base64(XML)))).toBe(XML);
  });

  it('survives a copy to a worker: the plain data decodes like the message', () => {
    const message = formValue(base64(XML));
    expect(
      decodePostedSamlMessage(structuredClone({ encoding: message.encoding, bytes: message.bytes })),
    ).toBe(XML);
  });

  it('malformed-message: empty, a bad escape, text that is not base64, bytes that are not UTF-8', () => {
    for (const message of [
      PostedSamlMessage.fromBase64Text(''),
      PostedSamlMessage.fromFormValue(Buffer.from('PHA%zz', 'utf8')),
      formValue('<not base64>'),
      PostedSamlMessage.fromBase64Text(Buffer.from([0xc3, 0x28]).toString('base64')),
    ]) {
      expect(() => decodePostedSamlMessage(message)).toThrow(refusedAs('malformed-message'));
    }
  });

  it('message-too-large: more than MAX_SAML_MESSAGE_BYTES once decoded', () => {
    const huge = base64('a'.repeat(MAX_SAML_MESSAGE_BYTES + 3));
    expect(() => decodePostedSamlMessage(formValue(huge))).toThrow(refusedAs('message-too-large'));
  });

  it('malformed-message: a field that is neither text nor a posted message (a repeated SAMLResponse)', () => {
    expect(() => PostedSamlMessage.of(['a', 'b'])).toThrow(refusedAs('malformed-message'));
    expect(() => PostedSamlMessage.of(undefined)).toThrow(refusedAs('malformed-message'));
  });

  // The decoder works on bytes; these compare it with the platform's own text decoders on arbitrary input.
  it('agrees with decodeURIComponent and a fatal TextDecoder on any form value: same XML, or refused', () => {
    const reference = (bytes: Uint8Array): string | 'refused' => {
      try {
        const text = decodeURIComponent(new TextDecoder('utf-8').decode(bytes).replaceAll('+', ' '));
        if (text.length === 0 || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text)) return 'refused';
        return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'base64'));
      } catch {
        return 'refused';
      }
    };
    const decoded = (bytes: Uint8Array): string | 'refused' => {
      try {
        return decodePostedSamlMessage(PostedSamlMessage.fromFormValue(bytes));
      } catch {
        return 'refused';
      }
    };
    // Form values built from base64 of arbitrary bytes or UTF-8 text, escaped in every way a client may escape
    // them, then sometimes damaged: a byte changed, a `%` added, the value cut short, or something that is
    // whitespace to one decoder and not to another put in (Unicode spaces raw or escaped, a byte order mark,
    // a lone 0xA0 byte, which is a no-break space only when read as Latin-1).
    const oddities = [
      '%C2%A0',
      '%A0',
      '\u00a0',
      '%EF%BB%BF',
      '%E2%80%A8',
      '%E3%80%80',
      '%0A',
      '+',
      '%2B',
      '%85',
    ];
    const escapes = (text: string, style: number): string =>
      [...text]
        .map((char, i) =>
          (style + i) % 3 === 0 ? `%${char.charCodeAt(0).toString(16).padStart(2, '0')}` : char,
        )
        .join('')
        .replaceAll('+', style % 2 === 0 ? '%2B' : '%2b');
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.string({ unit: 'binary', maxLength: 32 }).map((text) => new Uint8Array(Buffer.from(text, 'utf8'))),
    );
    const values = fc
      .tuple(content, fc.nat(5), fc.nat(300), fc.nat(255), fc.nat(4), fc.nat(oddities.length - 1))
      .map(([raw, style, at, byte, damage, oddity]) => {
        const value = Buffer.from(escapes(Buffer.from(raw).toString('base64'), style), 'latin1');
        const i = value.length === 0 ? 0 : at % value.length;
        if (damage === 1 && value.length > 0) value[i] = byte;
        if (damage === 2) return Buffer.concat([value.subarray(0, i), Buffer.from('%'), value.subarray(i)]);
        if (damage === 3) return value.subarray(0, i);
        if (damage === 4)
          return Buffer.concat([
            value.subarray(0, i),
            Buffer.from(oddities[oddity]!, 'latin1'),
            value.subarray(i),
          ]);
        return value;
      });
    fc.assert(
      fc.property(values, (bytes) => {
        expect(decoded(bytes)).toBe(reference(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  it('strict UTF-8 as the WHATWG fatal decoder reads it: the same text, a leading BOM dropped, or refused', () => {
    const reference = (bytes: Buffer): string | 'refused' => {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        return 'refused';
      }
    };
    const ours = (bytes: Buffer): string | 'refused' => {
      try {
        return utf8(bytes);
      } catch {
        return 'refused';
      }
    };
    const samples = [
      Buffer.from([0xef, 0xbb, 0xbf, 0x3c, 0x61, 0x2f, 0x3e]), // BOM, then <a/>
      Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
      Buffer.from([0xc0, 0xaf]), // an overlong '/'
      Buffer.from([0xf4, 0x90, 0x80, 0x80]), // past U+10FFFF
      Buffer.from('é€😀', 'utf8'),
    ];
    for (const bytes of samples) expect(ours(bytes)).toBe(reference(bytes));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (raw) => {
        const bytes = Buffer.from(raw);
        expect(ours(bytes)).toBe(reference(bytes));
      }),
      { numRuns: 5000 },
    );
  });
});
