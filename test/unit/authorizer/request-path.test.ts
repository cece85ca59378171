import { describe, expect, it } from 'vitest';
import { normalizeRequestPath } from '../../../src/authorizer/request-path.js';

describe('request path normalisation', () => {
  it.each([
    ['/orders/42', ['orders', '42']],
    ['/orders//42/', ['orders', '42']],
    ['/orders/a%20b', ['orders', 'a b']],
    ['/files/r%C3%A9sum%C3%A9', ['files', 'résumé']],
    ['/files/v1.2', ['files', 'v1.2']],
    ['/a/.hidden', ['a', '.hidden']],
    ['/', []],
  ])('%s is routed as its decoded segments', (path, segments) => {
    expect(normalizeRequestPath(path)).toEqual({ ok: true, segments });
  });

  it.each([
    ['/orders/red/admin;x=1', 'SemicolonParameter'],
    ['/orders/red;jsessionid=1/admin', 'SemicolonParameter'],
    ['/orders/red/admin%3Bx', 'SemicolonParameter'],
    ['/orders/red/admin.', 'TrailingDotOrSpace'],
    ['/orders/red/admin%2E', 'TrailingDotOrSpace'],
    ['/orders/red/admin%20', 'TrailingDotOrSpace'],
    ['/orders/red/admin...', 'TrailingDotOrSpace'],
    ['/orders/red/%2561dmin', 'DoubleEncoding'],
    ['/orders/red/admin%00', 'ControlCharacter'],
    ['/orders/red/admin%0a', 'ControlCharacter'],
    ['/orders/red/admin%7F', 'ControlCharacter'],
    ['/orders/red/admin%C2%85', 'ControlCharacter'],
    ['/orders/red/\u0001admin', 'ControlCharacter'],
    ['/orders/red/%EF%BC%A1DMIN', 'NonNormalizedText'],
    ['/orders/red/\uFF41dmin', 'NonNormalizedText'],
    ['/orders/red/e%CC%81', 'NonNormalizedText'],
    ['/orders/red/%EF%AC%81le', 'NonNormalizedText'],
    ['/orders/../admin', 'DotSegment'],
    ['/orders/%2e%2e/admin', 'DotSegment'],
    ['/orders/./admin', 'DotSegment'],
    ['/orders/red%2Fadmin', 'EncodedSeparator'],
    ['/orders/red%5Cadmin', 'EncodedSeparator'],
    ['/orders/red\\admin', 'EncodedSeparator'],
    ['/orders/%E0%A4%A', 'BadEncoding'],
    ['/orders/%FF', 'BadEncoding'],
    ['orders/42', 'NotAbsolute'],
    [`/${'a/'.repeat(65)}`, 'TooManySegments'],
  ])('%s is refused (%s)', (path, reason) => {
    expect(normalizeRequestPath(path)).toEqual({ ok: false, reason });
  });
});
