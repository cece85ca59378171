import { describe, expect, it } from 'vitest';
import { decisionKey, memoizedDecision } from '../../../src/authorizer/decision-memo.js';
import type { Decision } from '../../../src/policy/index.js';

const allow: Decision = { decision: 'Allow', matchedStatements: [], missingContextKeys: [] };
const deny: Decision = { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys: [] };

const request = {
  method: 'GET',
  host: 'orders.example.com',
  path: '/orders/1',
  url: 'https://orders.example.com/orders/1?x=1',
  sourceIp: '10.0.0.1',
  secure: true,
};

describe('per-second decision memo', () => {
  it('reuses a decision only within the same second, catalog and request', () => {
    const memo = new Map<string, unknown>();
    const catalog = {};
    let calls = 0;
    const decide = (): Decision => (++calls % 2 === 1 ? allow : deny);
    const at = (ms: number, cat: object = catalog, req = request, resource = 'arn:x') =>
      memoizedDecision(memo, cat, ms, decisionKey('svc:Get', resource, req), decide).decision;

    expect(at(1_000)).toBe('Allow');
    expect(at(1_999)).toBe('Allow');
    expect(calls).toBe(1);
    expect(at(2_000)).toBe('ImplicitDeny'); // next second: evaluated again
    expect(at(2_001, {})).toBe('Allow'); // new catalog (config reload): evaluated again
    expect(at(2_002, catalog, { ...request, sourceIp: '203.0.113.1' })).toBe('ImplicitDeny');
    expect(at(2_003, catalog, request, 'arn:y')).toBe('Allow');
    expect(at(2_004, catalog, { ...request, url: 'https://orders.example.com/orders/1?x=2' })).toBe(
      'ImplicitDeny',
    );
    expect(at(2_005, catalog, { ...request, secure: false })).toBe('Allow');
    expect(calls).toBe(7);
  });

  it('every input a context key comes from is part of the key, and parts cannot run into one another', () => {
    const keys = new Set([
      decisionKey('a:B', 'arn:1', request),
      decisionKey('a:B', 'arn:1', { ...request, method: 'POST' }),
      decisionKey('a:B', 'arn:1', { ...request, host: 'other.example.com' }),
      decisionKey('a:B', 'arn:1', { ...request, path: '/orders/2' }),
      decisionKey('a:B', 'arn:1', { ...request, sourceIp: undefined }),
      decisionKey('a:B|arn:1', '', request),
      decisionKey('a:B', 'arn:1|GET', { ...request, method: '' }),
    ]);
    expect(keys.size).toBe(7);
  });
});
