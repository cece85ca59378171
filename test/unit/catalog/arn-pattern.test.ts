import { describe, expect, it } from 'vitest';
import { compileArnPattern } from '../../../src/catalog/arn-pattern.js';
import { authorize, parsePolicy } from '../../../src/policy/index.js';

/*
 * Issue 13, "One ARN matcher": configured resource patterns (which pick resource tags and resource policies) and
 * policy Resource elements now match through the same code. Before, the catalog used a regex whose `*` crossed
 * colons and that compared the partition case-sensitively, so the two disagreed about the same resource.
 */

function resourceElementMatches(pattern: string, arn: string): boolean {
  const policy = parsePolicy(
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'x:Y', Resource: pattern }] },
    { name: 'p', kind: 'identity' },
  );
  return (
    authorize({ action: 'x:Y', resource: arn, context: {} }, { identityPolicies: [policy] }).decision ===
    'Allow'
  );
}

const CASES: [string, string, string, boolean][] = [
  ['a * in the service part does not cross colons', 'arn:fedgate:*:::x', 'arn:fedgate:a:b:c:x', false],
  [
    'the partition is matched case-insensitively',
    'arn:fedgate:orders:::order/*',
    'arn:FEDGATE:orders:::order/1',
    true,
  ],
  [
    'the resource part is case-sensitive',
    'arn:fedgate:orders:::order/*',
    'arn:fedgate:orders:::Order/1',
    false,
  ],
  [
    'a * in the resource part spans / and :',
    'arn:fedgate:orders:::order/*',
    'arn:fedgate:orders:::order/a:b/c',
    true,
  ],
  ['? is one character', 'arn:fedgate:orders:::order/?', 'arn:fedgate:orders:::order/12', false],
];

describe('configured resource patterns match as Resource elements do', () => {
  it.each(CASES)('%s', (_rule, pattern, arn, expected) => {
    expect(compileArnPattern(pattern).matches(arn)).toBe(expected);
    expect(resourceElementMatches(pattern, arn)).toBe(expected);
  });
});
