import { describe, expect, it } from 'vitest';
import { FedgateError } from '../../../src/errors/index.js';
import {
  PolicyDocumentError,
  authorize,
  parsePolicy,
  parsePolicyText,
  policySize,
  type PolicyKind,
} from '../../../src/policy/index.js';

const V = '2012-10-17';
const ok = { Effect: 'Allow', Action: 'svc:Act', Resource: '*' };

function errorOf(document: unknown, kind: PolicyKind = 'identity'): { path: string; rule: string } {
  try {
    parsePolicy(document, { name: 'p', kind });
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyDocumentError);
    const e = error as PolicyDocumentError;
    return { path: e.path, rule: e.rule };
  }
  throw new Error('expected a PolicyDocumentError');
}

const stmt = (extra: Record<string, unknown>, remove: string[] = []) => {
  const s: Record<string, unknown> = { ...ok, ...extra };
  for (const key of remove) delete s[key];
  return { Version: V, Statement: [ok, s] };
};

describe('policy grammar errors carry the path and the rule (SPEC 7.1)', () => {
  it.each([
    ['a document must be an object', [], '', 'ExpectedObject'],
    [
      'unknown top-level elements are rejected',
      { Version: V, Statement: ok, Extra: 1 },
      'Extra',
      'UnknownElement',
    ],
    ['top-level keys are case-sensitive', { version: V, Statement: ok }, 'version', 'UnknownElement'],
    ['only two Versions exist', { Version: '2012-10-18', Statement: ok }, 'Version', 'InvalidVersion'],
    ['Id must be a string', { Version: V, Id: 5, Statement: ok }, 'Id', 'InvalidId'],
    ['Statement is required', { Version: V }, 'Statement', 'MissingStatement'],
    ['Statement must not be an empty list', { Version: V, Statement: [] }, 'Statement', 'EmptyArray'],
    ['a statement must be an object', { Version: V, Statement: [ok, 'x'] }, 'Statement[1]', 'ExpectedObject'],
    [
      'unknown statement elements are rejected',
      stmt({ Effects: 'Allow' }),
      'Statement[1].Effects',
      'UnknownElement',
    ],
    ['Effect is required', stmt({}, ['Effect']), 'Statement[1].Effect', 'MissingEffect'],
    ['Effect is case-sensitive', stmt({ Effect: 'allow' }), 'Statement[1].Effect', 'InvalidEffect'],
    ['Sid must be a string', stmt({ Sid: 1 }), 'Statement[1].Sid', 'InvalidSid'],
    [
      'Sids must be unique',
      {
        Version: V,
        Statement: [
          { ...ok, Sid: 'A' },
          { ...ok, Sid: 'A' },
        ],
      },
      'Statement[1].Sid',
      'DuplicateSid',
    ],
    ['Action or NotAction is required', stmt({}, ['Action']), 'Statement[1].Action', 'MissingAction'],
    [
      'Action and NotAction cannot both appear',
      stmt({ NotAction: 'a:b' }),
      'Statement[1].NotAction',
      'UnsupportedElementCombination',
    ],
    ['an empty Action list is rejected', stmt({ Action: [] }), 'Statement[1].Action', 'EmptyArray'],
    ['an action needs a service prefix', stmt({ Action: 'gw*' }), 'Statement[1].Action', 'InvalidAction'],
    [
      'an action cannot contain spaces',
      stmt({ Action: ['a:b', 's3:Get Object'] }),
      'Statement[1].Action[1]',
      'InvalidAction',
    ],
    ['actions must be strings', stmt({ Action: [1] }), 'Statement[1].Action[0]', 'ExpectedString'],
    [
      'Resource or NotResource is required',
      stmt({}, ['Resource']),
      'Statement[1].Resource',
      'MissingResource',
    ],
    [
      'Resource and NotResource cannot both appear',
      stmt({ NotResource: '*' }),
      'Statement[1].NotResource',
      'UnsupportedElementCombination',
    ],
    [
      'a resource must be * or an ARN',
      stmt({ Resource: 'bucket/x' }),
      'Statement[1].Resource',
      'InvalidResource',
    ],
    [
      'a resource ARN must start with arn:',
      stmt({ Resource: 'urn:a:b:c:d:e' }),
      'Statement[1].Resource',
      'InvalidResource',
    ],
    [
      'a short ARN without trailing * is rejected',
      stmt({ Resource: 'arn:aws:s3' }),
      'Statement[1].Resource',
      'InvalidResource',
    ],
    [
      'variables only in the resource part of an ARN',
      stmt({ Resource: 'arn:aws:s3::${aws:PrincipalAccount}:x' }),
      'Statement[1].Resource',
      'VariableUnsupportedInElement',
    ],
    [
      'an unclosed variable is rejected',
      stmt({ Resource: 'arn:aws:s3:::${aws:username' }),
      'Statement[1].Resource',
      'MissingBraceInVariable',
    ],
    [
      'an empty variable is rejected',
      stmt({ Resource: 'arn:aws:s3:::${}' }),
      'Statement[1].Resource',
      'EmptyVariable',
    ],
    [
      'a variable with a space is rejected',
      stmt({ Resource: 'arn:aws:s3:::${aws:user name}' }),
      'Statement[1].Resource',
      'UnsupportedSpaceInVariable',
    ],
    [
      'a variable default needs quotes',
      stmt({ Resource: 'arn:aws:s3:::${aws:username, anon}' }),
      'Statement[1].Resource',
      'MissingQuoteInVariable',
    ],
    [
      'Principal is not allowed in identity policies',
      stmt({ Principal: '*' }),
      'Statement[1].Principal',
      'UnsupportedElement',
    ],
    [
      'NotPrincipal is not allowed in identity policies',
      stmt({ NotPrincipal: '*' }),
      'Statement[1].NotPrincipal',
      'UnsupportedElement',
    ],
    ['Condition must be an object', stmt({ Condition: [] }), 'Statement[1].Condition', 'ExpectedObject'],
    [
      'unknown operators are rejected',
      stmt({ Condition: { StringEqualsFoo: { 'a:b': 'c' } } }),
      'Statement[1].Condition.StringEqualsFoo',
      'UnknownConditionOperator',
    ],
    [
      'Null cannot take IfExists',
      stmt({ Condition: { NullIfExists: { 'a:b': 'true' } } }),
      'Statement[1].Condition.NullIfExists',
      'NullWithIfExists',
    ],
    [
      'an unknown set prefix is rejected',
      stmt({ Condition: { 'ForSomeValues:StringEquals': { 'a:b': 'c' } } }),
      'Statement[1].Condition["ForSomeValues:StringEquals"]',
      'UnknownConditionOperator',
    ],
    [
      'operators equal up to case are duplicates',
      stmt({ Condition: { StringEquals: { 'a:b': 'c' }, stringequals: { 'a:c': 'd' } } }),
      'Statement[1].Condition.stringequals',
      'DuplicateConditionOperator',
    ],
    [
      'condition keys equal up to case are duplicates',
      stmt({ Condition: { StringEquals: { 'aws:username': 'a', 'AWS:Username': 'b' } } }),
      'Statement[1].Condition.StringEquals["AWS:Username"]',
      'DuplicateConditionKey',
    ],
    [
      'an operator must map keys to values',
      stmt({ Condition: { StringEquals: 'x' } }),
      'Statement[1].Condition.StringEquals',
      'ExpectedObject',
    ],
    [
      'condition values must be scalars',
      stmt({ Condition: { StringEquals: { 'a:b': [{}] } } }),
      'Statement[1].Condition.StringEquals["a:b"][0]',
      'InvalidConditionValue',
    ],
    [
      'numeric operators need numbers',
      stmt({ Condition: { NumericLessThan: { 'a:b': ['1', 'ten'] } } }),
      'Statement[1].Condition.NumericLessThan["a:b"][1]',
      'InvalidConditionValue',
    ],
    [
      'numeric operators take no variables',
      stmt({ Condition: { NumericLessThan: { 'a:b': '${a:n}' } } }),
      'Statement[1].Condition.NumericLessThan["a:b"]',
      'InvalidConditionValue',
    ],
    [
      'date operators need dates',
      stmt({ Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }),
      'Statement[1].Condition.DateLessThan["aws:CurrentTime"]',
      'InvalidConditionValue',
    ],
    [
      'Bool needs true or false',
      stmt({ Condition: { Bool: { 'a:b': 'yes' } } }),
      'Statement[1].Condition.Bool["a:b"]',
      'InvalidConditionValue',
    ],
    [
      'IpAddress needs a CIDR',
      stmt({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }),
      'Statement[1].Condition.IpAddress["aws:SourceIp"]',
      'InvalidConditionValue',
    ],
    [
      'BinaryEquals needs base64',
      stmt({ Condition: { BinaryEquals: { 'a:b': 'not base64' } } }),
      'Statement[1].Condition.BinaryEquals["a:b"]',
      'InvalidConditionValue',
    ],
    [
      'Null needs true or false',
      stmt({ Condition: { Null: { 'a:b': 'maybe' } } }),
      'Statement[1].Condition.Null["a:b"]',
      'InvalidConditionValue',
    ],
    [
      'a statement given as an object has an index-free path',
      { Version: V, Statement: { ...ok, Effect: 'Maybe' } },
      'Statement.Effect',
      'InvalidEffect',
    ],
  ] as const)('%s', (_rule, document, path, rule) => {
    expect(errorOf(document)).toEqual({ path, rule });
  });

  it.each([
    [
      'resource policies need a Principal',
      'resource',
      stmt({}),
      'Statement[0].Principal',
      'MissingPrincipal',
    ],
    [
      'trust policies need a Principal',
      'trust',
      { Version: V, Statement: { Effect: 'Allow', Action: 'sts:AssumeRole' } },
      'Statement.Principal',
      'MissingPrincipal',
    ],
    [
      'trust policies cannot use NotPrincipal',
      'trust',
      { Version: V, Statement: { Effect: 'Deny', NotPrincipal: '*', Action: 'sts:AssumeRole' } },
      'Statement.NotPrincipal',
      'UnsupportedElement',
    ],
    [
      'trust policies cannot have a Resource',
      'trust',
      { Version: V, Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' } },
      'Statement.Resource',
      'UnsupportedElement',
    ],
    [
      'principals cannot contain partial wildcards',
      'resource',
      { Version: V, Statement: { ...ok, Principal: { AWS: 'arn:aws:iam::123456789012:role/*' } } },
      'Statement.Principal.AWS',
      'UnsupportedWildcardInPrincipal',
    ],
    [
      '"*" is only allowed as an AWS principal',
      'resource',
      { Version: V, Statement: { ...ok, Principal: { Federated: '*' } } },
      'Statement.Principal.Federated',
      'UnsupportedWildcardInPrincipal',
    ],
    [
      'unknown principal types are rejected',
      'resource',
      { Version: V, Statement: { ...ok, Principal: { Users: 'x' } } },
      'Statement.Principal.Users',
      'InvalidPrincipal',
    ],
    [
      'an AWS principal is an account id or ARN',
      'resource',
      { Version: V, Statement: { ...ok, Principal: { AWS: ['123456789012', 'alice'] } } },
      'Statement.Principal.AWS[1]',
      'InvalidPrincipal',
    ],
    [
      'an empty principal list is rejected',
      'resource',
      { Version: V, Statement: { ...ok, Principal: { AWS: [] } } },
      'Statement.Principal.AWS',
      'EmptyArray',
    ],
  ] as const)('%s', (_rule, kind, document, path, rule) => {
    expect(errorOf(document, kind)).toEqual({ path, rule });
  });

  it('the error is a FedgateError with code MalformedPolicyDocument and the path in its message', () => {
    try {
      parsePolicy({ Version: V, Statement: { ...ok, Effect: 'Permit' } }, { name: 'p', kind: 'identity' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FedgateError);
      expect((error as FedgateError).code).toBe('MalformedPolicyDocument');
      expect((error as FedgateError).status).toBe(400);
      expect((error as Error).message).toContain('Statement.Effect');
    }
  });

  it('a Version-less policy parses (as 2008-10-17)', () => {
    expect(parsePolicy({ Statement: ok }, { name: 'p', kind: 'identity' }).version).toBe('2008-10-17');
  });

  it('a misuse of the API (unknown kind) is a TypeError, not a policy error', () => {
    expect(() => parsePolicy({ Statement: ok }, { name: 'p', kind: 'bogus' as PolicyKind })).toThrow(
      TypeError,
    );
  });
});

describe('policy JSON text (IAM-SEMANTICS 1.6)', () => {
  it('duplicate keys are rejected with their path', () => {
    const text =
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny","Action":"a:b","Resource":"*"}}';
    expect(() => parsePolicyText(text, { name: 'p', kind: 'identity' })).toThrow(
      expect.objectContaining({ path: 'Statement.Effect', rule: 'DuplicateKey' }),
    );
  });

  it('invalid JSON is a PolicyDocumentError naming line and column', () => {
    expect(() =>
      parsePolicyText('{"Version": "2012-10-17",\n "Statement": [}', { name: 'p', kind: 'identity' }),
    ).toThrow(expect.objectContaining({ rule: 'InvalidJson', message: expect.stringContaining('line 2') }));
  });

  it('numbers beyond 2^53 keep every digit', () => {
    const text =
      '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*","Condition":{"NumericEquals":{"a:n":9007199254740993}}}}';
    const p = parsePolicyText(text, { name: 'p', kind: 'identity' });
    const decide = (n: string) =>
      authorize({ action: 'a:b', resource: '*', context: { 'a:n': n } }, { identityPolicies: [p] }).decision;
    expect(decide('9007199254740993')).toBe('Allow');
    expect(decide('9007199254740992')).toBe('ImplicitDeny');
  });

  it('a "__proto__" key is an unknown element, not a prototype switch', () => {
    expect(() =>
      parsePolicyText(
        '{"__proto__":{"Statement":1},"Statement":{"Effect":"Allow","Action":"a:b","Resource":"*"}}',
        { name: 'p', kind: 'identity' },
      ),
    ).toThrow(expect.objectContaining({ rule: 'UnknownElement', path: '__proto__' }));
  });

  it('nesting deeper than 64 is refused', () => {
    expect(() => parsePolicyText('['.repeat(100) + ']'.repeat(100), { name: 'p', kind: 'identity' })).toThrow(
      PolicyDocumentError,
    );
  });
});

describe('policy size (SPEC 7.1)', () => {
  it('whitespace is not counted', () => {
    expect(policySize('{ "a" : 1 }\n')).toBe(7);
    expect(policySize({ a: 1 })).toBe(7);
  });

  it('maxSize rejects a larger policy with rule PolicySizeExceeded', () => {
    const doc = { Version: V, Statement: { ...ok, Sid: 'x'.repeat(3000) } };
    expect(() => parsePolicy(doc, { name: 'p', kind: 'session', maxSize: 2048 })).toThrow(
      expect.objectContaining({ rule: 'PolicySizeExceeded', path: '' }),
    );
    expect(() => parsePolicy(doc, { name: 'p', kind: 'identity', maxSize: 6144 })).not.toThrow();
  });
});
