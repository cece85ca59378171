import { describe, expect, it } from 'vitest';
import { memoizedDecision } from '../../../src/authorizer/decision-memo.js';
import type { Decision } from '../../../src/policy/index.js';

const allow: Decision = { decision: 'Allow', matchedStatements: [], missingContextKeys: [] };
const deny: Decision = { decision: 'ImplicitDeny', matchedStatements: [], missingContextKeys: [] };

describe('per-second decision memo', () => {
  const context = { 'aws:SourceIp': '10.0.0.1', 'fedgate:RequestPath': '/orders/1' };

  it('reuses a decision only within the same second, catalog and inputs', () => {
    const memo = new Map<string, unknown>();
    const catalog = {};
    let calls = 0;
    const decide = (): Decision => (++calls % 2 === 1 ? allow : deny);
    const at = (
      ms: number,
      cat: object = catalog,
      ctx: Record<string, string> = context,
      resource = 'arn:x',
    ) => memoizedDecision(memo, cat, ms, 'svc:Get', resource, ctx, decide).decision;

    expect(at(1_000)).toBe('Allow');
    expect(at(1_999)).toBe('Allow');
    expect(calls).toBe(1);
    expect(at(2_000)).toBe('ImplicitDeny'); // next second: evaluated again
    expect(at(2_001, {})).toBe('Allow'); // new catalog (config reload): evaluated again
    expect(at(2_002, catalog, { ...context, 'aws:SourceIp': '203.0.113.1' })).toBe('ImplicitDeny');
    expect(at(2_003, catalog, context, 'arn:y')).toBe('Allow');
    expect(calls).toBe(5);
  });

  it('context parts cannot be shuffled into one another to hit another request’s entry', () => {
    const memo = new Map<string, unknown>();
    const catalog = {};
    let calls = 0;
    const decide = (): Decision => {
      calls++;
      return allow;
    };
    memoizedDecision(memo, catalog, 0, 'a:B', 'arn:1', { k: 'x|y' }, decide);
    memoizedDecision(memo, catalog, 0, 'a:B', 'arn:1', { 'k|x': 'y' }, decide);
    memoizedDecision(memo, catalog, 0, 'a:B|arn:1', '', { k: 'x|y' }, decide);
    expect(calls).toBe(3);
  });
});
