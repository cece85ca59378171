import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Verdicts memoized per address: BlockList.check allocates, and the hot path asks for every request. */
const MEMO_LIMIT = 1024;

/** A set of CIDRs (config `trustProxies`) whose forwarded headers are believed. */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #empty: boolean;
  readonly #memo = new Map<string, boolean>();

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address = '', bits] = cidr.split('/');
      const family = isIPv6(address) ? 'ipv6' : 'ipv4';
      const prefix = bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits);
      this.#list.addSubnet(address, prefix, family);
    }
    this.#empty = cidrs.length === 0;
  }

  /** True when the peer address is one of the trusted proxies (IPv4-mapped IPv6 addresses are unwrapped). */
  trusts(peer: string | undefined): boolean {
    if (this.#empty || peer === undefined) return false;
    const memo = this.#memo.get(peer);
    if (memo !== undefined) return memo;
    const address = unmapIpv4(peer);
    const verdict = isIPv4(address)
      ? this.#list.check(address, 'ipv4')
      : isIPv6(address)
        ? this.#list.check(address, 'ipv6')
        : false;
    // Bounded: X-Forwarded-For hops are client-chosen strings.
    if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
    this.#memo.set(peer, verdict);
    return verdict;
  }

  /**
   * The client address: walks X-Forwarded-For from the right while hops are trusted proxies, so a client
   * cannot inject an address by sending its own X-Forwarded-For.
   */
  clientAddress(peer: string | undefined, forwardedFor: string | undefined): string | undefined {
    const direct = peer === undefined ? undefined : unmapIpv4(peer);
    if (!this.trusts(direct) || forwardedFor === undefined) return direct;
    const hops = forwardedFor
      .split(',')
      .map((hop) => hop.trim())
      .filter((hop) => hop.length > 0);
    let client = direct;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = unmapIpv4(hops[i] as string);
      if (!isIPv4(hop) && !isIPv6(hop)) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    return client;
  }
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
export function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}
