import ipaddr from 'ipaddr.js';

/**
 * The header family a trusted proxy reports the original request in (config `trustProxies[].headers`):
 * - `forwarded`: Traefik, Caddy — `X-Forwarded-Method/-Uri/-Host/-Proto/-For`;
 * - `original`: nginx `auth_request` as the guide configures it — `X-Original-Method/-URI/-Host/-Proto`, `X-Real-IP`;
 * - `envoy`: Envoy `ext_authz` — the call's own method, `/authz/<path>` and `Host`, `X-Forwarded-Proto/-For`;
 * - `auto` (a bare CIDR): the family is read off the request; two families in one request are refused.
 */
export type HeaderFamilySetting = 'forwarded' | 'original' | 'envoy' | 'auto';

/** One `trustProxies` entry. */
export interface TrustedProxyEntry {
  readonly cidr: string;
  readonly headers: HeaderFamilySetting;
}

/** Verdicts memoized per address: matching walks every entry, and the hot path asks for every request. */
const MEMO_LIMIT = 1024;

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** The proxies (config `trustProxies`) whose forwarding headers are believed, each with its header family. */
export class TrustedProxies {
  readonly #entries: readonly { readonly range: Range; readonly headers: HeaderFamilySetting }[];
  readonly #memo = new Map<string, HeaderFamilySetting | null>();

  /** Entries in configuration order (a bare CIDR string is `auto`); the first entry holding a peer decides. */
  constructor(entries: readonly (TrustedProxyEntry | string)[]) {
    this.#entries = entries.map((entry) => {
      const { cidr, headers } = typeof entry === 'string' ? { cidr: entry, headers: 'auto' as const } : entry;
      return { range: parseRange(cidr), headers };
    });
  }

  /** The header family of the proxy at `peer`, or undefined when the peer is not a trusted proxy. */
  familyOf(peer: string | undefined): HeaderFamilySetting | undefined {
    if (this.#entries.length === 0 || peer === undefined) return undefined;
    const memo = this.#memo.get(peer);
    if (memo !== undefined) return memo ?? undefined;
    const address = parseAddress(peer);
    let verdict: HeaderFamilySetting | null = null;
    if (address !== undefined) {
      for (const entry of this.#entries) {
        if (address.kind() === entry.range[0].kind() && address.match(entry.range)) {
          verdict = entry.headers;
          break;
        }
      }
    }
    // Bounded: X-Forwarded-For hops are client-chosen strings.
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
    this.#memo.set(peer, verdict);
    return verdict ?? undefined;
  }

  /** True when the peer address is one of the trusted proxies (IPv4-mapped IPv6 addresses are unwrapped). */
  trusts(peer: string | undefined): boolean {
    return this.familyOf(peer) !== undefined;
  }

  /**
   * The client address: walks X-Forwarded-For from the right while hops are trusted proxies, so a client
   * cannot inject an address by sending its own X-Forwarded-For.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | undefined): string | undefined {
    const direct = peer === undefined ? undefined : canonicalAddress(peer);
    if (!this.trusts(direct) || forwardedFor === undefined) return direct;
    const hops = forwardedFor.split(',');
    let client = direct;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = canonicalAddress((hops[i] as string).trim());
      if (hop === undefined) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    return client;
  }
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
export function unmapIpv4(address: string): string {
  return canonicalAddress(address) ?? address;
}

/**
 * An address in its canonical text (IPv4-mapped IPv6 unwrapped, IPv6 compressed), or undefined when the text is
 * not a plain IPv4 dotted quad or IPv6 address (no ports, brackets, zone ids or `0x7f.1` shorthands).
 */
export function canonicalAddress(text: string): string | undefined {
  // The common case, checked without parsing: a dotted quad is already its own canonical text.
  if (isCanonicalDottedQuad(text)) return text;
  const known = CANONICAL_MEMO.get(text);
  if (known !== undefined) return known ?? undefined;
  const canonical = parseAddress(text)?.toString();
  // Memoized (a pure function of the text; the profile put ipaddr.js parsing at 4.5 % of a hot /authz call),
  // bounded in count and in key length: X-Forwarded-For hops are client-chosen strings.
  if (text.length <= MAX_ADDRESS_TEXT) {
    if (CANONICAL_MEMO.size >= MEMO_LIMIT) CANONICAL_MEMO.clear();
    CANONICAL_MEMO.set(text, canonical ?? null);
  }
  return canonical;
}

/** True for `a.b.c.d` with four decimal parts of 0-255 without leading zeros (as ipaddr.js prints IPv4). */
function isCanonicalDottedQuad(text: string): boolean {
  if (text.length < 7 || text.length > 15) return false;
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i === text.length ? 46 : text.charCodeAt(i); // a final '.' closes the last part
    if (c === 46) {
      if (digits === 0 || value > 255 || ++parts > 4) return false;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // a leading zero
      value = value * 10 + (c - 48);
      if (++digits > 3) return false;
    } else return false;
  }
  return parts === 4;
}

/** The longest address text worth remembering (an IPv6 address with an embedded IPv4 is at most 45 characters). */
const MAX_ADDRESS_TEXT = 45;
const CANONICAL_MEMO = new Map<string, string | null>();

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (text.includes('%')) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes(':') || !ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

function parseRange(cidr: string): Range {
  if (!cidr.includes('/')) {
    const address = parseAddress(cidr);
    if (address === undefined) throw new TypeError('trustProxies: not an IP address or CIDR');
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  }
  const [address, bits] = ipaddr.parseCIDR(cidr);
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? [(address as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)]
    : [address, bits];
}
