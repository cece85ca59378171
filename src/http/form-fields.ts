import { FedgateError } from '../errors/index.js';

/** A form field's value: decoded text, or (splitForm's `keepEncoded`) the bytes as the body carried them. */
export type FormValue = string | Uint8Array;

/** Fields per form body: an STS Query AssumeRole may carry 50 tags (two parameters each) and 50 transitive keys. */
export const FORM_PARAMETER_LIMIT = 256;

const AMPERSAND = 0x26;
const EQUALS = 0x3d;

export interface SplitFormOptions {
  /** Fields whose values are left encoded, for a domain that decodes them off the event loop. */
  readonly keepEncoded: ReadonlySet<string>;
}

/**
 * The fields of an `application/x-www-form-urlencoded` body in order, decoded as the app's urlencoded parser
 * decodes them (`+` is a space; a malformed escape is kept as written), except the values of `keepEncoded`
 * fields: those stay the bytes of the body, still percent-encoded. A SAML message at the body limit costs
 * milliseconds to percent-decode; split this way (Buffer.indexOf) the event loop spends a small fraction of
 * that on it, and the SAML domain decodes it in a verification worker.
 */
export function splitForm(body: Buffer, options: SplitFormOptions): [string, FormValue][] {
  const fields: [string, FormValue][] = [];
  let start = 0;
  while (start <= body.length) {
    const found = body.indexOf(AMPERSAND, start);
    const end = found === -1 ? body.length : found;
    if (end > start) {
      // More fields is a 400, as the app's urlencoded parser answers.
      if (fields.length >= FORM_PARAMETER_LIMIT)
        throw new FedgateError('ValidationError', 'Too many parameters');
      // Looked for within this field only: a body of fields without `=` must not be scanned to its end per field.
      const equals = body.subarray(start, end).indexOf(EQUALS);
      const nameEnd = equals === -1 ? end : start + equals;
      const name = formDecoded(body.toString('utf8', start, nameEnd));
      const valueStart = Math.min(nameEnd + 1, end);
      const value = options.keepEncoded.has(name)
        ? body.subarray(valueStart, end)
        : formDecoded(body.toString('utf8', valueStart, end));
      fields.push([name, value]);
    }
    if (found === -1) break;
    start = found + 1;
  }
  return fields;
}

/** The fields as a record; a repeated name holds all its values, in order (as the urlencoded parser does). */
export function formRecord(fields: readonly [string, FormValue][]): Record<string, FormValue | FormValue[]> {
  const record: Record<string, FormValue | FormValue[]> = Object.create(null) as Record<
    string,
    FormValue | FormValue[]
  >;
  for (const [name, value] of fields) {
    const earlier = record[name];
    record[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return record;
}

function formDecoded(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
