import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PolicyDocumentError,
  parsePolicy,
  parsePolicyText,
  type PolicyKind,
} from '../../src/policy/index.js';
import { fuzzParameters } from './fuzz-inputs.js';

/*
 * Issue 8 / SPEC 7.1: the policy parser refuses anything that is not a policy with a PolicyDocumentError
 * (MalformedPolicyDocument, with a path): never a TypeError, a RangeError, a stack overflow or a hang, whatever
 * the document, its kind or its text.
 */

const KINDS: readonly PolicyKind[] = ['identity', 'boundary', 'session', 'guardrail', 'resource', 'trust'];

const token = fc.string({ unit: fc.constantFrom(..."${}*?:/,' aAzZ09-_.#[]"), maxLength: 40 });
const scalar = fc.oneof(
  token,
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(null),
);
const stringish = fc.oneof(
  token,
  fc.constantFrom(
    '*',
    's3:GetObject',
    'orders:*',
    'arn:fedgate:orders:::order/${aws:username}',
    "${aws:PrincipalTag/team, 'x'}",
    '${*}${?}${$}',
    '${',
    'arn:*',
  ),
);
const listOr = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof(value, fc.array(value, { maxLength: 4 }));
const operator = fc.oneof(
  fc.constantFrom(
    'StringEquals',
    'StringLike',
    'StringNotEqualsIgnoreCase',
    'NumericLessThan',
    'DateGreaterThan',
    'Bool',
    'BinaryEquals',
    'IpAddress',
    'NotIpAddress',
    'ArnLike',
    'Null',
    'ForAllValues:StringEquals',
    'ForAnyValue:StringLike',
    'StringEqualsIfExists',
    'ForAllValues:NumericEqualsIfExists',
  ),
  fc.string({ maxLength: 20 }),
);
const conditionValue = fc.oneof(
  listOr(scalar),
  fc.constantFrom('10.0.0.0/8', '::1/129', '2020-01-01T00:00:00Z', 'not-a-date', '1e400', 'dGVzdA=='),
  fc.jsonValue({ maxDepth: 2 }),
);
const principal = fc.oneof(
  fc.constant('*'),
  fc.record({ AWS: listOr(stringish) }, { requiredKeys: [] }),
  fc.record({ Federated: listOr(stringish), Service: listOr(stringish) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 2 }),
);
const statement = fc.record(
  {
    Sid: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
    Effect: fc.oneof(fc.constantFrom('Allow', 'Deny', 'allow', ''), fc.jsonValue({ maxDepth: 1 })),
    Action: listOr(stringish),
    NotAction: listOr(stringish),
    Resource: listOr(stringish),
    NotResource: listOr(stringish),
    Principal: principal,
    NotPrincipal: principal,
    Condition: fc.oneof(
      fc.dictionary(operator, fc.dictionary(stringish, conditionValue, { maxKeys: 3 }), { maxKeys: 3 }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    Extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const policyShaped = fc.record(
  {
    Version: fc.oneof(
      fc.constantFrom('2012-10-17', '2008-10-17', '2012-10-18'),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    Id: fc.jsonValue({ maxDepth: 1 }),
    Statement: fc.oneof(statement, fc.array(statement, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: [] },
);
const anyDocument = fc.oneof(policyShaped, fc.jsonValue({ maxDepth: 4 }), fc.anything({ maxDepth: 3 }));

function expectPolicyErrorOnly(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(PolicyDocumentError);
    expect((error as PolicyDocumentError).code).toBe('MalformedPolicyDocument');
  }
}

describe('the policy parser throws only PolicyDocumentError', () => {
  it('policy-shaped and arbitrary documents, of every kind, with and without a size cap', () => {
    fc.assert(
      fc.property(
        anyDocument,
        fc.constantFrom(...KINDS),
        fc.option(fc.nat({ max: 6144 })),
        (document, kind, maxSize) => {
          expectPolicyErrorOnly(() =>
            parsePolicy(document, { name: 'fuzz', kind, ...(maxSize === null ? {} : { maxSize }) }),
          );
        },
      ),
      fuzzParameters(300),
    );
  });

  it('JSON text: random strings, serialised documents and those documents with a character inserted or cut', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      policyShaped.map((document) => JSON.stringify(document)),
      fc
        .tuple(
          policyShaped,
          fc.nat(),
          fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', '\u0000', '9', 'e', '"Statement":1,'),
        )
        .map(([document, at, inserted]) => {
          const json = JSON.stringify(document);
          const index = at % (json.length + 1);
          return `${json.slice(0, index)}${inserted}${json.slice(index)}`;
        }),
      fc.tuple(policyShaped, fc.nat()).map(([document, at]) => {
        const json = JSON.stringify(document);
        return json.slice(0, at % (json.length + 1));
      }),
      fc.constantFrom(
        '{"Version":"2012-10-17","Statement":[],"Statement":[]}',
        '9'.repeat(400),
        '['.repeat(5000),
        '{"a":'.repeat(3000),
      ),
    );
    fc.assert(
      fc.property(text, fc.constantFrom(...KINDS), (json, kind) => {
        expectPolicyErrorOnly(() => parsePolicyText(json, { name: 'fuzz', kind }));
      }),
      fuzzParameters(300),
    );
  });

  it('a valid policy still parses (the property is not vacuous)', () => {
    const compiled = parsePolicy(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'orders:GetOrder', Resource: '*' }] },
      { name: 'ok', kind: 'identity' },
    );
    expect(compiled.statements).toHaveLength(1);
  });
});
