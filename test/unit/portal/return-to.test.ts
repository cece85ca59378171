import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../../src/portal/return-to.js';

const PUBLIC = 'https://sso.example.com';
const ALLOWED = ['app.example.com', '*.apps.example.com'];
const check = (value: unknown): string | undefined => safeReturnTo(value, PUBLIC, ALLOWED);

describe('return_to: normalised first, then validated', () => {
  it.each([
    ['/orders/42?view=full', '/orders/42?view=full'],
    ['/a/./b/../c', '/a/c'],
    ['/%2e/orders', '/orders'],
    ['/x/../orders#top', '/orders#top'],
    ['https://app.example.com/reports', 'https://app.example.com/reports'],
    ['https://team.apps.example.com/x/../y', 'https://team.apps.example.com/y'],
    ['https://sso.example.com/roles', 'https://sso.example.com/roles'],
    ['HTTPS://APP.EXAMPLE.COM/r', 'https://app.example.com/r'],
  ])('%s is kept as %s', (value, expected) => {
    expect(check(value)).toBe(expected);
  });

  it.each([
    ['dot-slash-slash', '/.//evil.com'],
    ['encoded-dot-slash-slash', '/%2e//evil.com'],
    ['dotdot-slash-slash', '/x/..//evil.com'],
    ['encoded-dotdot-slash-slash', '/%2E%2E//evil.com'],
    ['encoded dotdot in mixed case', '/%2e%2E//evil.com'],
    ['several dot segments', '/a/b/../../..//evil.com'],
    ['scheme-relative', '//evil.com'],
    ['backslash', '/\\evil.com'],
    ['encoded backslash is only a path, but a raw one is refused', '/\\/evil.com'],
    ['tab inside the prefix', '/\t/evil.com'],
    ['newline', '/orders\n'],
    ['C1 control', '/orders\u0085'],
    ['another site', 'https://evil.com/'],
    ['a host that only ends like an allowed one', 'https://evilapp.example.com/'],
    ['the bare wildcard suffix', 'https://apps.example.com/'],
    ['credentials', 'https://app.example.com@evil.com/'],
    ['user-info on an allowed host', 'https://user:pw@app.example.com/'],
    ['javascript', 'javascript:alert(1)'],
    ['data', 'data:text/html,x'],
    ['scheme without slashes', 'https:evil.com'],
    ['not a string', 42],
    ['empty', ''],
    ['over-long', `/${'a'.repeat(2048)}`],
  ])('%s is refused', (_name, value) => {
    expect(check(value)).toBeUndefined();
  });
});
