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

/** A parsed CIDR block: family, network bits and prefix length. */
export interface CidrBlock {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

/** Parses an IP address to its family and 32/128-bit value; IPv4-mapped IPv6 becomes IPv4. */
export function parseIpAddress(text: string): { version: 4 | 6; value: bigint } | undefined {
  if (text.includes(':')) {
    const v6 = parseIpv6(text);
    if (v6 === undefined) return undefined;
    if (v6 >> 32n === 0xffffn) return { version: 4, value: v6 & 0xffffffffn };
    return { version: 6, value: v6 };
  }
  const v4 = parseIpv4(text);
  return v4 === undefined ? undefined : { version: 4, value: v4 };
}

/** Parses `a.b.c.d/n`, `v6::/n`, or a bare address (a /32 or /128). Host bits are ignored, as IAM does. */
export function parseCidr(text: string): CidrBlock | undefined {
  const slash = text.indexOf('/');
  const address = parseIpAddress(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bits = address.version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    // A mapped IPv4 written in IPv6 form carries a /96+ prefix.
    if (address.version === 4 && text.slice(0, slash).includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > bits) return undefined;
  }
  return { version: address.version, network: maskBits(address.value, bits, prefix), prefix };
}

/** True when the address is inside the block (families must agree). */
export function cidrContains(block: CidrBlock, address: { version: 4 | 6; value: bigint }): boolean {
  if (block.version !== address.version) return false;
  const bits = block.version === 4 ? 32 : 128;
  return maskBits(address.value, bits, block.prefix) === block.network;
}

function maskBits(value: bigint, bits: number, prefix: number): bigint {
  const hostBits = BigInt(bits - prefix);
  return (value >> hostBits) << hostBits;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
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
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
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
