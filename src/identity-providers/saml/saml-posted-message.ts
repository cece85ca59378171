import { isAscii } from 'node:buffer';
import { samlRejection } from './saml-rejection.js';
import { decodeBase64Field, utf8 } from './saml-xml.js';

/**
 * How a posted SAML message arrived: the base64 text of a JSON field (`base64`), or the value of an
 * `application/x-www-form-urlencoded` field exactly as the body carried it, percent-escapes and all
 * (`form-urlencoded`, the HTTP-POST binding's `SAMLResponse` and the STS Query API's `SAMLAssertion`).
 */
export type PostedSamlEncoding = 'base64' | 'form-urlencoded';

/** A PostedSamlMessage as plain data, as it crosses to a verification worker. */
export interface PostedSamlMessageData {
  readonly encoding: PostedSamlEncoding;
  readonly bytes: Uint8Array;
}

/**
 * A SAML message as it was posted, not yet decoded. Percent-decoding, base64 and UTF-8 decoding of a maximal
 * message cost milliseconds of CPU, so they are done in a verification worker (decodePostedSamlMessage), never
 * on the gateway's event loop; making one costs one copy of the bytes, into a buffer of its own that the
 * verifier pool moves to the worker (so a message is verified once).
 */
export class PostedSamlMessage implements PostedSamlMessageData {
  private constructor(
    readonly encoding: PostedSamlEncoding,
    readonly bytes: Uint8Array,
  ) {}

  /** Base64 text (a JSON field, a form value a test or a caller already decoded). */
  static fromBase64Text(text: string): PostedSamlMessage {
    return new PostedSamlMessage('base64', new TextEncoder().encode(text));
  }

  /** The still percent-encoded bytes of a form field's value, copied (the body's buffer may be reused). */
  static fromFormValue(bytes: Uint8Array): PostedSamlMessage {
    return new PostedSamlMessage('form-urlencoded', new Uint8Array(bytes));
  }

  /** Base64 text already as UTF-8 bytes of its own (a JSON body's field, split off in a worker): not copied. */
  static fromBase64Bytes(bytes: Uint8Array): PostedSamlMessage {
    return new PostedSamlMessage('base64', bytes);
  }

  /** A posted field as the HTTP layer handed it over: base64 text or a PostedSamlMessage; anything else is malformed. */
  static of(value: unknown): PostedSamlMessage {
    if (value instanceof PostedSamlMessage) return value;
    if (typeof value === 'string') return PostedSamlMessage.fromBase64Text(value);
    throw samlRejection('malformed-message');
  }
}

/**
 * The XML text of a posted message, with the refusals decoding always had: `malformed-message` for an empty
 * value, a bad escape, bad base64 or bad UTF-8, `message-too-large` past MAX_SAML_MESSAGE_BYTES. On a maximal
 * form value this takes about 5 ms of the worker's CPU where decodeURIComponent over decoded text took about 6.5 ms
 * (base64 text: 3.7 ms).
 */
export function decodePostedSamlMessage(message: PostedSamlMessageData): string {
  return utf8(decodeBase64Field(base64TextOf(message)));
}

/**
 * The base64 text of a posted message. Base64 text is ASCII, and ASCII reads the same as Latin-1 (a plain copy) as
 * it does as UTF-8, so ASCII is decoded on the bytes. Anything else cannot be base64 (bar whitespace the base64
 * check allows, such as an escaped no-break space) and is decoded exactly as it always was: UTF-8 first, then
 * `decodeURIComponent`, so what is refused and what is allowed stays the same.
 */
function base64TextOf({ encoding, bytes }: PostedSamlMessageData): string {
  const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (encoding === 'base64')
    return isAscii(value) ? value.toString('latin1') : new TextDecoder('utf-8').decode(value);
  if (isAscii(value)) {
    const decoded = formDecoded(value);
    if (isAscii(decoded)) return decoded.toString('latin1');
  }
  return formDecodedText(new TextDecoder('utf-8').decode(value));
}

/** The general case of form value decoding, on text: `+` is a space, then percent-escapes of UTF-8. */
function formDecodedText(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch (error) {
    // A bad escape leaves a `%` behind, which no base64 text holds.
    throw samlRejection('malformed-message', error);
  }
}

const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;
/** The value of each byte as a hex digit, -1 for a byte that is not one. */
const HEX_DIGIT = new Int8Array(256).fill(-1);
for (let digit = 0; digit < 16; digit += 1) {
  HEX_DIGIT['0123456789abcdef'.charCodeAt(digit)] = digit;
  HEX_DIGIT['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}

/**
 * application/x-www-form-urlencoded value decoding on bytes, as the URL Standard's urlencoded parser decodes: `+`
 * is a space, then `%XX` is the byte XX. A `%` not followed by two hex digits, which that parser keeps as it is, is
 * refused here as decodeURIComponent refuses it: no base64 text holds a `%`, so the message is malformed either way.
 * Used on ASCII values; its result is read as text only when it is ASCII too.
 */
function formDecoded(bytes: Uint8Array): Buffer {
  const length = bytes.length;
  const decoded = Buffer.allocUnsafe(length);
  let written = 0;
  for (let i = 0; i < length; i += 1) {
    const byte = bytes[i]!;
    if (byte === PERCENT) {
      // A bad escape would leave a `%` behind, which no base64 text holds.
      if (i + 2 >= length) throw samlRejection('malformed-message');
      const high = HEX_DIGIT[bytes[i + 1]!]!;
      const low = HEX_DIGIT[bytes[i + 2]!]!;
      if (high < 0 || low < 0) throw samlRejection('malformed-message');
      decoded[written++] = (high << 4) | low;
      i += 2;
    } else {
      decoded[written++] = byte === PLUS ? SPACE : byte;
    }
  }
  return decoded.subarray(0, written);
}
