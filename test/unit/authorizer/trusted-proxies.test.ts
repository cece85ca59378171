import { describe, expect, it } from 'vitest';
import { canonicalAddress, TrustedProxies } from '../../../src/authorizer/trusted-proxies.js';

describe('trusted proxies', () => {
  const proxies = new TrustedProxies(['127.0.0.1/32', '10.0.0.0/8', 'fd00::/8']);

  it('trusts peers inside the configured CIDRs, including IPv4-mapped IPv6 peers', () => {
    expect(proxies.trusts('127.0.0.1')).toBe(true);
    expect(proxies.trusts('::ffff:10.1.2.3')).toBe(true);
    expect(proxies.trusts('fd12::1')).toBe(true);
    expect(proxies.trusts('192.168.1.1')).toBe(false);
  });

  it('an untrusted peer cannot choose its address with X-Forwarded-For', () => {
    expect(proxies.clientAddress('203.0.113.9', '1.2.3.4')).toBe('203.0.113.9');
  });

  it('a client-sent X-Forwarded-For entry left of the proxy chain is not believed', () => {
    // client 198.51.100.7 sent "X-Forwarded-For: 10.9.9.9" hoping to look internal; the proxy appended the real peer.
    expect(proxies.clientAddress('127.0.0.1', '10.9.9.9, 198.51.100.7')).toBe('198.51.100.7');
  });

  it('walks through several trusted hops to the first untrusted one', () => {
    expect(proxies.clientAddress('127.0.0.1', '198.51.100.7, 10.0.0.2')).toBe('198.51.100.7');
  });

  it('addresses read the same the second time (remembered), shorthand and over-long hops stay refused', () => {
    for (let pass = 0; pass < 2; pass++) {
      expect(canonicalAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
      expect(canonicalAddress('0x7f.1')).toBeUndefined();
      expect(canonicalAddress(`10.0.0.1${' '.repeat(100)}`)).toBeUndefined();
      expect(proxies.clientAddress('127.0.0.1', '0x7f.1, 10.0.0.2')).toBe('10.0.0.2');
    }
  });

  it('a dotted quad is read without parsing only when it is one: leading zeros, parts over 255, wrong counts refused', () => {
    for (const address of ['0.0.0.0', '10.0.0.1', '192.168.255.255', '255.255.255.255'])
      expect(canonicalAddress(address)).toBe(address);
    for (const text of [
      '010.0.0.1',
      '10.0.0.01',
      '256.0.0.1',
      '10.0.0',
      '10.0.0.1.2',
      '10..0.1',
      '10.0.0.1 ',
      '1000.0.0.1',
    ])
      expect(canonicalAddress(text)).toBeUndefined();
  });

  it('no trusted proxies configured: nobody is trusted', () => {
    expect(new TrustedProxies([]).trusts('127.0.0.1')).toBe(false);
  });
});
