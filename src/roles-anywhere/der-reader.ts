/**
 * A minimal DER (ITU-T X.690) reader for the few structures node:crypto does not expose: names, key usage,
 * subject alternative names and CRLs. It reads definite lengths only (DER has no other) and never recurses
 * without bound; any malformed input throws `DerError`, which callers turn into a refusal.
 */

/** Malformed DER: the input is not what the reader was told to expect. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** One DER element: its tag byte and where its header and content lie in the buffer. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the content. */
  readonly end: number;
}

/** Universal tags used here. */
export const DER_TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads the element that starts at `offset`, which must end at or before `limit`. */
export function readElement(buffer: Uint8Array, offset: number, limit: number = buffer.length): DerElement {
  if (offset + 2 > limit) throw new DerError('truncated element');
  const tag = buffer[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  let length = buffer[offset + 1] as number;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4) throw new DerError('unsupported length');
    if (contentStart + octets > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < octets; i += 1) length = length * 256 + (buffer[contentStart + i] as number);
    contentStart += octets;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('element runs past its container');
  return { tag, start: offset, contentStart, end };
}

/** Reads the element at `offset` and checks its tag. */
export function expectElement(
  buffer: Uint8Array,
  offset: number,
  tag: number,
  limit: number = buffer.length,
): DerElement {
  const element = readElement(buffer, offset, limit);
  if (element.tag !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}`);
  return element;
}

/** The elements directly inside a constructed element (SEQUENCE, SET, context tag). */
export function childrenOf(buffer: Uint8Array, parent: DerElement, max = 10_000): DerElement[] {
  const children: DerElement[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    if (children.length >= max) throw new DerError('too many elements');
    const child = readElement(buffer, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/** The content bytes of an element. */
export function contentOf(buffer: Uint8Array, element: DerElement): Uint8Array {
  return buffer.subarray(element.contentStart, element.end);
}

/** The whole encoding (header and content) of an element. */
export function encodingOf(buffer: Uint8Array, element: DerElement): Uint8Array {
  return buffer.subarray(element.start, element.end);
}

/** Dotted OID text (`2.5.4.3`). */
export function readOid(buffer: Uint8Array, element: DerElement): string {
  if (element.tag !== DER_TAG.OID) throw new DerError('expected an OID');
  const bytes = contentOf(buffer, element);
  if (bytes.length === 0 || bytes.length > 64) throw new DerError('bad OID length');
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 256) throw new DerError('OID arc too large');
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else arcs.push(value);
      value = 0;
    }
  }
  if ((bytes[bytes.length - 1] as number) & 0x80) throw new DerError('truncated OID');
  return arcs.join('.');
}

/** An INTEGER as lowercase hex without leading zero octets (`0` for zero): serial numbers. */
export function readIntegerHex(buffer: Uint8Array, element: DerElement): string {
  if (element.tag !== DER_TAG.INTEGER) throw new DerError('expected an INTEGER');
  const hex = Buffer.from(contentOf(buffer, element))
    .toString('hex')
    .replace(/^(00)+/, '');
  return hex === '' ? '0' : hex;
}

/** UTCTime or GeneralizedTime (the `Z` forms RFC 5280 requires) as epoch milliseconds. */
export function readTime(buffer: Uint8Array, element: DerElement): number {
  const text = Buffer.from(contentOf(buffer, element)).toString('latin1');
  let match: RegExpExecArray | null;
  let year: number;
  if (element.tag === DER_TAG.UTC_TIME) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (match === null) throw new DerError('bad UTCTime');
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (element.tag === DER_TAG.GENERALIZED_TIME) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (match === null) throw new DerError('bad GeneralizedTime');
    year = Number(match[1]);
  } else throw new DerError('expected a time');
  const [, , mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(year, (mo as number) - 1, d, h, mi, s);
}

/** A directory string (UTF8, Printable, IA5, T61 read as latin1, BMP as UTF-16BE) as text. */
export function readString(buffer: Uint8Array, element: DerElement): string {
  const bytes = Buffer.from(contentOf(buffer, element));
  switch (element.tag) {
    case DER_TAG.UTF8_STRING:
      return bytes.toString('utf8');
    case DER_TAG.PRINTABLE_STRING:
    case DER_TAG.IA5_STRING:
    case DER_TAG.T61_STRING:
      return bytes.toString('latin1');
    case DER_TAG.BMP_STRING: {
      if (bytes.length % 2 !== 0) throw new DerError('bad BMPString');
      const swapped = Buffer.from(bytes);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    default:
      throw new DerError('unsupported string type');
  }
}

/** A BIT STRING's bits: the unused-bit count and the bytes. */
export function readBitString(
  buffer: Uint8Array,
  element: DerElement,
): { unusedBits: number; bytes: Uint8Array } {
  if (element.tag !== DER_TAG.BIT_STRING) throw new DerError('expected a BIT STRING');
  const content = contentOf(buffer, element);
  if (content.length === 0) throw new DerError('empty BIT STRING');
  const unusedBits = content[0] as number;
  if (unusedBits > 7) throw new DerError('bad BIT STRING');
  return { unusedBits, bytes: content.subarray(1) };
}

/** Decodes PEM blocks of one label (`CERTIFICATE`, `X509 CRL`) into DER; non-matching blocks are skipped. */
export function pemBlocks(text: string, label: string): Buffer[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  const blocks: Buffer[] = [];
  for (const match of text.matchAll(pattern)) {
    const body = (match[1] ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new DerError(`malformed PEM ${label}`);
    blocks.push(Buffer.from(body, 'base64'));
  }
  return blocks;
}
