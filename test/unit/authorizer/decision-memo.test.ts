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
    const reloaded = {};
    let calls = 0;
    const decide = (): Decision => (++calls % 2 === 1 ? allow : deny);
    const at = (ms: number, cat: object = catalog, req = request, resource = 'arn:x') =>
      memoizedDecision(memo, cat, ms, () => decisionKey('svc:Get', resource, req), decide).decision;

    expect(at(1_000)).toBe('Allow'); // the session's first decision in this second: noted only
    expect(at(1_500)).toBe('ImplicitDeny'); // the second: evaluated and remembered
    expect(at(1_999)).toBe('ImplicitDeny');
    expect(calls).toBe(2);
    expect(at(2_000)).toBe('Allow'); // next second: evaluated again
    expect(at(2_001)).toBe('ImplicitDeny');
    expect(at(2_002)).toBe('ImplicitDeny');
    expect(calls).toBe(4);
    expect(at(2_003, reloaded)).toBe('Allow'); // new catalog (config reload): evaluated again, then remembered
    expect(at(2_004, reloaded)).toBe('Allow');
    expect(calls).toBe(5);
    expect(at(2_005, reloaded, { ...request, sourceIp: '203.0.113.1' })).toBe('ImplicitDeny');
    expect(at(2_006, reloaded, request, 'arn:y')).toBe('Allow');
    expect(at(2_007, reloaded, { ...request, url: 'https://orders.example.com/orders/1?x=2' })).toBe(
      'ImplicitDeny',
    );
    expect(at(2_008, reloaded, { ...request, secure: false })).toBe('Allow');
    expect(calls).toBe(9);
    expect(at(2_009, reloaded, { ...request, secure: false })).toBe('Allow');
    expect(calls).toBe(9);
  });

  it('builds no key for a session seen once a second', () => {
    const memo = new Map<string, unknown>();
    let keys = 0;
    const keyOf = () => {
      keys++;
      return decisionKey('svc:Get', 'arn:x', request);
    };
    for (const ms of [1_000, 2_000, 3_500, 4_999]) memoizedDecision(memo, {}, ms, keyOf, () => allow);
    expect(keys).toBe(0);
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
