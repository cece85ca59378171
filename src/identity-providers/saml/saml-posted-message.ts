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

  /** A posted field as the HTTP layer handed it over: base64 text or a PostedSamlMessage; anything else is malformed. */
  static of(value: unknown): PostedSamlMessage {
    if (value instanceof PostedSamlMessage) return value;
    if (typeof value === 'string') return PostedSamlMessage.fromBase64Text(value);
    throw samlRejection('malformed-message');
  }
}

/**
 * The XML text of a posted message, with the refusals decoding always had: `malformed-message` for an empty
 * value, a bad escape, bad base64 or bad UTF-8, `message-too-large` past MAX_SAML_MESSAGE_BYTES.
 */
export function decodePostedSamlMessage(message: PostedSamlMessageData): string {
  const text = new TextDecoder('utf-8').decode(message.bytes);
  return utf8(decodeBase64Field(message.encoding === 'base64' ? text : formDecoded(text)));
}

/** application/x-www-form-urlencoded value decoding: `+` is a space, then percent-escapes. */
function formDecoded(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch (error) {
    // A bad escape leaves a `%` behind, which no base64 text holds.
    throw samlRejection('malformed-message', error);
  }
}
