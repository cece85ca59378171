/**
 * The JSON body of `POST /sts/assume-role-with-saml`, read off the event loop. Its `SAMLAssertion` is a base64
 * SAML Response of up to half a megabyte: decoding such a body to text and `JSON.parse` cost the event loop about
 * 5.5 ms in one piece (bench/saml-worst-case.ts), for input nobody has authenticated yet. A verification worker
 * (SamlVerifierPool.splitJsonBody) does both and hands back the other members, which are small, and the
 * assertion's text as bytes, which move between threads without a copy.
 */
export interface SplitSamlJsonBody {
  /** The body's members other than a string `SAMLAssertion`; the parsed value itself when it is not an object. */
  readonly fields: unknown;
  /** `SAMLAssertion`'s text as UTF-8 bytes, when it was a string. */
  readonly assertion?: Uint8Array;
}

/** The first character after JSON's insignificant whitespace (RFC 8259, section 2): space, tab, LF, CR. */
function firstCharacter(text: string): string | undefined {
  for (const character of text) if (!' \t\n\r'.includes(character)) return character;
  return undefined;
}

/**
 * Splits a JSON body as the app's JSON parser (body-parser's `json()`, strict) reads one: UTF-8 with a byte order
 * mark dropped and malformed sequences replaced, an empty body as `{}`, and only an object or an array at the
 * top. `undefined` when it is not such JSON.
 */
export function splitSamlJsonBody(bytes: Uint8Array): SplitSamlJsonBody | undefined {
  if (bytes.length === 0) return { fields: {} };
  const text = new TextDecoder('utf-8').decode(bytes);
  const first = firstCharacter(text);
  if (first !== '{' && first !== '[') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { fields: value };
  const { SAMLAssertion: assertion, ...fields } = value as Record<string, unknown>;
  if (typeof assertion !== 'string') return { fields: value };
  return { fields, assertion: new TextEncoder().encode(assertion) };
}
