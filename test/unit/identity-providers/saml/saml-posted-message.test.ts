import { describe, expect, it } from 'vitest';
import {
  PostedSamlMessage,
  decodePostedSamlMessage,
} from '../../../../src/identity-providers/saml/saml-posted-message.js';
import { MAX_SAML_MESSAGE_BYTES } from '../../../../src/identity-providers/saml/saml-xml.js';

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
});
