/** An exact decimal: `mantissa × 10^exponent`, so numbers beyond 2^53 compare without rounding. */
export interface ExactDecimal {
  readonly mantissa: bigint;
  readonly exponent: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;
// Exponents are bounded so "1e9999" cannot make BigInt scaling allocate gigabytes.
const MAX_EXPONENT = 400;

/** Parses an integer or decimal (optionally with exponent) exactly; undefined when not a number. */
export function parseExactDecimal(text: string): ExactDecimal | undefined {
  const m = DECIMAL.exec(text.trim());
  if (m === null) return undefined;
  const intDigits = m[2] ?? '';
  const fracDigits = m[3] ?? '';
  if (intDigits === '' && fracDigits === '') return undefined;
  if (text.length > 1000) return undefined;
  const exponent = Number(m[4] ?? '0') - fracDigits.length;
  if (Math.abs(exponent) > MAX_EXPONENT + fracDigits.length) return undefined;
  let mantissa = BigInt((intDigits + fracDigits).replace(/^0+(?=\d)/, '') || '0');
  if (m[1] === '-') mantissa = -mantissa;
  return { mantissa, exponent };
}

/** -1, 0 or 1 as a < b, a = b, a > b, exactly. */
export function compareExactDecimal(a: ExactDecimal, b: ExactDecimal): number {
  let am = a.mantissa;
  let bm = b.mantissa;
  if (a.exponent > b.exponent) am *= 10n ** BigInt(a.exponent - b.exponent);
  else if (b.exponent > a.exponent) bm *= 10n ** BigInt(b.exponent - a.exponent);
  return am < bm ? -1 : am > bm ? 1 : 0;
}

const ISO_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const EPOCH_SECONDS = /^-?\d{1,12}(?:\.\d+)?$/;

/**
 * Parses a W3C/ISO 8601 date-time (`2024-01-01`, `2024-01-01T10:00:00Z`, `…+02:00`, fractions) or epoch
 * seconds (`1735689600`) to epoch milliseconds; undefined when neither. A date-time without a zone is UTC.
 */
export function parseDateMillis(text: string): number | undefined {
  if (EPOCH_SECONDS.test(text)) return Math.floor(Number(text) * 1000);
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    offsetMinutes = sign * (zh * 60 + zm);
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis);
  return utc - offsetMinutes * 60_000 + (second === 60 ? 1000 : 0);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A parsed IP address: IPv4 as an unsigned 32-bit number (fast path), IPv6 as a 128-bit bigint. */
export type IpAddressValue =
  { readonly version: 4; readonly v4: number } | { readonly version: 6; readonly v6: bigint };

/** A parsed CIDR block. */
export type CidrBlock =
  | { readonly version: 4; readonly network: number; readonly mask: number; readonly prefix: number }
  | { readonly version: 6; readonly network: bigint; readonly prefix: number };

/** Parses an IP address; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) becomes IPv4. */
export function parseIpAddress(text: string): IpAddressValue | undefined {
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    if (v6 === undefined) return undefined;
    if (v6 >> 32n === 0xffffn) return { version: 4, v4: Number(v6 & 0xffffffffn) };
    return { version: 6, v6 };
  }
  const v4 = parseIpv4(text);
  return v4 === undefined ? undefined : { version: 4, v4 };
}

/** Parses `a.b.c.d/n`, `v6::/n`, or a bare address (a /32 or /128). Host bits are ignored, as IAM does. */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIpAddress(addressText);
  if (address === undefined) return undefined;
  const bits = address.version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    // A mapped IPv4 written in IPv6 form carries a /96+ prefix.
    if (address.version === 4 && addressText.includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > bits) return undefined;
  }
  if (address.version === 4) {
    const mask = v4Mask(prefix);
    return { version: 4, network: (address.v4 & mask) >>> 0, mask, prefix };
  }
  const hostBits = BigInt(128 - prefix);
  return { version: 6, network: (address.v6 >> hostBits) << hostBits, prefix };
}

function v4Mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** True when the address is inside the block (families must agree). */
export function cidrContains(block: CidrBlock, address: IpAddressValue): boolean {
  if (block.version === 4) return address.version === 4 && (address.v4 & block.mask) >>> 0 === block.network;
  if (address.version !== 6) return false;
  const hostBits = BigInt(128 - block.prefix);
  return (address.v6 >> hostBits) << hostBits === block.network;
}

/** Dotted-quad IPv4 to an unsigned 32-bit number, without allocating; undefined when malformed. */
function parseIpv4(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 0x30 && c <= 0x39) {
      // No leading zeros ("010" is ambiguous: octal in some parsers).
      if (digits === 1 && octet === 0) return undefined;
      octet = octet * 10 + (c - 0x30);
      if (++digits > 3 || octet > 255) return undefined;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  const right = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  const groups = halves.length === 2 ? left.length + right.length : left.length;
  if (halves.length === 2 ? groups > 7 : groups !== 8) return undefined;
  const all = [...left, ...Array<string>(8 - groups).fill('0'), ...right];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | BigInt(tailV4);
  return value;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes strict base64 (padding required); undefined when not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  return Uint8Array.from(Buffer.from(text, 'base64'));
}

/** Byte-for-byte equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
