import { describe, expect, it } from 'vitest';
import { authorize, parsePolicy, type ContextInput } from '../../../src/policy/index.js';
import { allow, conditionHolds, policy } from './policy-test-helpers.js';

function policyFromDoc(doc: unknown) {
  return parsePolicy(doc, { name: 'p', kind: 'identity' });
}

function resourceAllowed(
  resourcePattern: string,
  resource: string,
  context: ContextInput,
  version = '2012-10-17',
): boolean {
  const compiled = policyFromDoc({ Version: version, Statement: [allow('test:Act', resourcePattern)] });
  return (
    authorize({ action: 'test:Act', resource, context }, { identityPolicies: [compiled] }).decision ===
    'Allow'
  );
}

const TEAM = 'aws:PrincipalTag/team';

describe('policy variables in Resource (IAM-SEMANTICS 1.5)', () => {
  it.each([
    [
      'a variable is substituted in the resource part',
      'arn:fedgate:docs:::doc/${aws:PrincipalTag/team}/*',
      'arn:fedgate:docs:::doc/red/1',
      { [TEAM]: 'red' },
      true,
    ],
    [
      'a substituted value must match exactly',
      'arn:fedgate:docs:::doc/${aws:PrincipalTag/team}/*',
      'arn:fedgate:docs:::doc/blue/1',
      { [TEAM]: 'red' },
      false,
    ],
    [
      'a missing variable makes the Resource entry match nothing',
      'arn:fedgate:docs:::doc/${aws:PrincipalTag/team}/*',
      'arn:fedgate:docs:::doc//1',
      {},
      false,
    ],
    [
      'variable names are case-insensitive',
      'arn:fedgate:docs:::doc/${AWS:PRINCIPALTAG/TEAM}/*',
      'arn:fedgate:docs:::doc/red/1',
      { [TEAM]: 'red' },
      true,
    ],
    [
      'the default is used when the key is absent',
      "arn:fedgate:docs:::doc/${aws:PrincipalTag/team, 'company-wide'}/*",
      'arn:fedgate:docs:::doc/company-wide/1',
      {},
      true,
    ],
    [
      'the default is not used when the key is present',
      "arn:fedgate:docs:::doc/${aws:PrincipalTag/team, 'company-wide'}/*",
      'arn:fedgate:docs:::doc/company-wide/1',
      { [TEAM]: 'red' },
      false,
    ],
    [
      'a substituted * is literal, not a wildcard',
      'arn:fedgate:docs:::home/${aws:username}',
      'arn:fedgate:docs:::home/bob',
      { 'aws:username': 'b*' },
      false,
    ],
    [
      'a substituted * matches a literal *',
      'arn:fedgate:docs:::home/${aws:username}',
      'arn:fedgate:docs:::home/b*',
      { 'aws:username': 'b*' },
      true,
    ],
    ['${*} is a literal *', 'arn:fedgate:docs:::file/${*}', 'arn:fedgate:docs:::file/x', {}, false],
    ['${*} matches a literal *', 'arn:fedgate:docs:::file/${*}', 'arn:fedgate:docs:::file/*', {}, true],
    ['${?} is a literal ?', 'arn:fedgate:docs:::file/${?}', 'arn:fedgate:docs:::file/x', {}, false],
    ['${$} is a literal $', 'arn:fedgate:docs:::file/${$}{x}', 'arn:fedgate:docs:::file/${x}', {}, true],
    [
      'a multi-valued variable makes the entry match nothing',
      'arn:fedgate:docs:::doc/${fedgate:groups}',
      'arn:fedgate:docs:::doc/a',
      { 'fedgate:groups': ['a'] },
      false,
    ],
    [
      'a variable key containing colons does not split the ARN',
      'arn:fedgate:docs:::u/${fedgate:PathParam/id}',
      'arn:fedgate:docs:::u/7',
      { 'fedgate:PathParam/id': '7' },
      true,
    ],
  ] as const)('%s', (_rule, pattern, resource, context, expected) => {
    expect(resourceAllowed(pattern, resource, context)).toBe(expected);
  });

  it('in a 2008-10-17 policy variables are literal text', () => {
    const pattern = 'arn:fedgate:docs:::doc/${aws:username}';
    expect(
      resourceAllowed(pattern, 'arn:fedgate:docs:::doc/alice', { 'aws:username': 'alice' }, '2008-10-17'),
    ).toBe(false);
    expect(
      resourceAllowed(
        pattern,
        'arn:fedgate:docs:::doc/${aws:username}',
        { 'aws:username': 'alice' },
        '2008-10-17',
      ),
    ).toBe(true);
  });

  it('a policy without Version treats variables as literal text', () => {
    const p = policyFromDoc({ Statement: [allow('test:Act', 'arn:fedgate:docs:::doc/${aws:username}')] });
    const decide = (resource: string) =>
      authorize(
        { action: 'test:Act', resource, context: { 'aws:username': 'alice' } },
        { identityPolicies: [p] },
      ).decision;
    expect(decide('arn:fedgate:docs:::doc/alice')).toBe('ImplicitDeny');
    expect(decide('arn:fedgate:docs:::doc/${aws:username}')).toBe('Allow');
  });

  it('NotResource with an unresolved variable excludes nothing (issue 13, rule 4)', () => {
    const p = policy('p', 'identity', {
      Effect: 'Allow',
      Action: 'test:Act',
      NotResource: 'arn:fedgate:docs:::doc/${aws:username}',
    });
    expect(
      authorize(
        { action: 'test:Act', resource: 'arn:fedgate:docs:::doc/a', context: {} },
        { identityPolicies: [p] },
      ).decision,
    ).toBe('Allow');
    expect(
      authorize(
        { action: 'test:Act', resource: 'arn:fedgate:docs:::doc/a', context: { 'aws:username': 'a' } },
        { identityPolicies: [p] },
      ).decision,
    ).toBe('ImplicitDeny');
  });
});

describe('policy variables in conditions (IAM-SEMANTICS 1.5)', () => {
  it('ABAC idiom: Resource and condition both keyed on the principal tag', () => {
    const p = policy(
      'p',
      'identity',
      allow('docs:Get', 'arn:fedgate:docs:::doc/${aws:PrincipalTag/team}/*', {
        Condition: { StringEquals: { 'docs:DocTeam': '${aws:PrincipalTag/team}' } },
      }),
    );
    const decide = (team: string | undefined, docTeam: string, resource: string) =>
      authorize(
        { action: 'docs:Get', resource, context: { [TEAM]: team, 'docs:DocTeam': docTeam } },
        { identityPolicies: [p] },
      ).decision;
    expect(decide('red', 'red', 'arn:fedgate:docs:::doc/red/1')).toBe('Allow');
    expect(decide('red', 'blue', 'arn:fedgate:docs:::doc/red/1')).toBe('ImplicitDeny');
    expect(decide('red', 'red', 'arn:fedgate:docs:::doc/blue/1')).toBe('ImplicitDeny');
    expect(decide(undefined, '', 'arn:fedgate:docs:::doc//1')).toBe('ImplicitDeny');
  });

  it.each([
    [
      'a missing variable makes a positive operator not match',
      { StringEquals: { 'a:k': '${aws:username}' } },
      { 'a:k': 'x' },
      false,
    ],
    [
      'a missing variable makes a negated operator match',
      { StringNotEquals: { 'a:k': '${aws:username}' } },
      { 'a:k': 'x' },
      true,
    ],
    [
      'a variable with a default uses the default',
      { StringEquals: { 'a:k': "${aws:username, 'anon'}" } },
      { 'a:k': 'anon' },
      true,
    ],
    [
      'a substituted value is literal in StringLike',
      { StringLike: { 'a:k': '${aws:username}' } },
      { 'a:k': 'bob', 'aws:username': 'b*' },
      false,
    ],
    [
      'pattern text around a variable keeps its wildcards',
      { StringLike: { 'a:k': 'home/${aws:username}/*' } },
      { 'a:k': 'home/bob/x/y', 'aws:username': 'bob' },
      true,
    ],
    [
      'variables work in StringEqualsIgnoreCase',
      { StringEqualsIgnoreCase: { 'a:k': '${aws:username}' } },
      { 'a:k': 'BOB', 'aws:username': 'bob' },
      true,
    ],
    [
      'variables work in ArnLike',
      { ArnLike: { 'a:k': 'arn:fedgate:iam::000000000000:role/${aws:username}' } },
      { 'a:k': 'arn:fedgate:iam::000000000000:role/bob', 'aws:username': 'bob' },
      true,
    ],
    ['variables work in Bool', { Bool: { 'a:k': '${a:flag}' } }, { 'a:k': 'true', 'a:flag': 'true' }, true],
    [
      'a multi-valued variable does not match',
      { StringEquals: { 'a:k': '${fedgate:groups}' } },
      { 'a:k': 'a', 'fedgate:groups': ['a'] },
      false,
    ],
    ['${*} in StringLike is a literal star', { StringLike: { 'a:k': 'x${*}' } }, { 'a:k': 'xyz' }, false],
    ['${*} in StringLike matches a literal star', { StringLike: { 'a:k': 'x${*}' } }, { 'a:k': 'x*' }, true],
  ] as const)('%s', (_rule, condition, context, expected) => {
    expect(conditionHolds(condition, context)).toBe(expected);
  });

  it('variables are literal in condition values of a 2008-10-17 policy', () => {
    expect(
      conditionHolds(
        { StringEquals: { 'a:k': '${aws:username}' } },
        { 'a:k': '${aws:username}', 'aws:username': 'x' },
        '2008-10-17',
      ),
    ).toBe(true);
  });
});
