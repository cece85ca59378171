import { describe, expect, it } from 'vitest';
import {
  assertPackedPolicySize,
  packedPolicySize,
  resolveSessionPolicies,
  type SessionPolicyRequest,
} from '../../../src/federation/index.js';

const managed: Record<string, unknown> = {
  'arn:fedgate:iam::000000000000:policy/OrdersReadOnly': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'orders:GetOrder', Resource: '*' }],
  },
};
const resolve = (request: SessionPolicyRequest) => resolveSessionPolicies(request, (arn) => managed[arn]);

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

const readOnly = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'orders:GetOrder', Resource: '*' }],
});

describe('session policies', () => {
  it('keeps the inline policy and the resolved managed policies, inline first', () => {
    const resolved = resolve({
      policy: readOnly,
      policyArns: ['arn:fedgate:iam::000000000000:policy/OrdersReadOnly'],
    });
    expect(resolved.documents).toEqual([
      JSON.parse(readOnly),
      managed['arn:fedgate:iam::000000000000:policy/OrdersReadOnly'],
    ]);
  });

  it('refuses text that is not JSON, and duplicate keys, as MalformedPolicyDocument', () => {
    expect(codeOf(() => resolve({ policy: '{"Version": "2012-10-17",' }))).toBe('MalformedPolicyDocument');
    expect(
      codeOf(() => resolve({ policy: '{"Version":"2012-10-17","Version":"2012-10-17","Statement":[]}' })),
    ).toBe('MalformedPolicyDocument');
  });

  it('refuses a policy that breaks the grammar (Principal in a session policy) as MalformedPolicyDocument', () => {
    const withPrincipal = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'orders:GetOrder', Resource: '*' }],
    });
    expect(codeOf(() => resolve({ policy: withPrincipal }))).toBe('MalformedPolicyDocument');
  });

  it('refuses an unknown managed policy ARN as MalformedPolicyDocument and more than 10 ARNs as ValidationError', () => {
    expect(codeOf(() => resolve({ policyArns: ['arn:fedgate:iam::000000000000:policy/Nope'] }))).toBe(
      'MalformedPolicyDocument',
    );
    const arns = Array.from({ length: 11 }, () => 'arn:fedgate:iam::000000000000:policy/OrdersReadOnly');
    expect(codeOf(() => resolve({ policyArns: arns }))).toBe('ValidationError');
  });

  it('counts 2,048 characters without whitespace: 2,048 passes, 2,049 is refused, indentation is free', () => {
    const sized = (chars: number, indent?: number): string => {
      const empty = {
        Version: '2012-10-17',
        Statement: [{ Sid: '', Effect: 'Allow', Action: 'orders:GetOrder', Resource: '*' }],
      };
      const sidLength = chars - JSON.stringify(empty).length;
      const document = { ...empty, Statement: [{ ...empty.Statement[0], Sid: 'S'.repeat(sidLength) }] };
      return JSON.stringify(document, null, indent);
    };
    expect(codeOf(() => resolve({ policy: sized(2048, 4) }))).toBeUndefined();
    expect(codeOf(() => resolve({ policy: sized(2049) }))).toBe('ValidationError');
  });
});

describe('packed policy size', () => {
  it('is 0 without session policies or tags and grows with them', () => {
    const none = resolve({});
    expect(packedPolicySize(none, {})).toBe(0);
    const small = packedPolicySize(resolve({ policy: readOnly }), { team: 'payments' });
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(100);
  });

  it('refuses more than 100 percent with PackedPolicyTooLarge', () => {
    const tags = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`key-${i}-${'k'.repeat(100)}`, 'v'.repeat(200)]),
    );
    const percent = packedPolicySize(resolve({}), tags);
    expect(percent).toBeGreaterThan(100);
    expect(codeOf(() => assertPackedPolicySize(percent))).toBe('PackedPolicyTooLarge');
    expect(assertPackedPolicySize(100)).toBe(100);
  });
});
