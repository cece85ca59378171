import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  authorizeAssumeRole,
  simulate,
  type Decision,
  type DecisionKind,
  type PolicySet,
  type PrincipalIdentity,
} from '../../../src/policy/index.js';
import { allow, conditionHolds, deny, policy } from './policy-test-helpers.js';

/*
 * Issue 13: the rules where fedgate decided differently from AWS IAM. One table per rule; each table names the
 * AWS documentation page and quotes the sentence the rule follows, and every row is a decision a user would
 * notice. Rows marked "old:" were decided the other way before the change. The README's policy section must
 * record each rule with the same page and sentence (checked below), so the two cannot drift apart.
 */

interface Source {
  readonly page: string;
  readonly url: string;
  readonly sentence: string;
}

interface Row {
  readonly name: string;
  readonly decide: () => Decision | DecisionKind | boolean;
  readonly expected: DecisionKind | boolean;
}

const flat = (text: string) => text.replace(/\s+/g, ' ');
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
/** The README's record of the rules fixed by issue 13 and the rules kept: up to the next section. */
const RECORD = flat(
  README.slice(
    README.indexOf('#### Rules fixed by issue 13, and their sources'),
    README.indexOf('### Speed'),
  ),
);

/** The README records the rule with each source: the page's address and the sentence, word for word. */
function recordsSources(sources: readonly Source[]): void {
  it('follows the AWS documentation, recorded in the README with its source', () => {
    expect(RECORD.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(source.url).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(RECORD).toContain(`](${source.url})`);
      expect(RECORD).toContain(flat(source.sentence));
    }
  });
}

function table(rule: string, sources: readonly Source[], rows: readonly Row[]): void {
  describe(rule, () => {
    recordsSources(sources);
    it.each(rows.map((row) => ({ ...row, label: row.name })))('$label', (row) => {
      const answer = row.decide();
      const got = typeof answer === 'object' ? answer.decision : answer;
      expect(got).toBe(row.expected);
    });
  });
}

const ACCOUNT = '000000000000';
const SESSION = `arn:fedgate:sts::${ACCOUNT}:assumed-role/Developer/alice`;
const ROLE = `arn:fedgate:iam::${ACCOUNT}:role/Developer`;
const alice: PrincipalIdentity = { type: 'AWS', id: SESSION, aliases: [ROLE], account: ACCOUNT };
const ORDER = 'arn:fedgate:orders:::order/42';
const ask = (context: Record<string, string> = {}, resource = ORDER) => ({
  principal: alice,
  action: 'orders:GetOrder',
  resource,
  context,
});
const identityAllow = policy('identity', 'identity', allow('orders:*'));
const boundaryOther = policy('boundary', 'boundary', allow('billing:*'));
const boundaryAllow = policy('boundary', 'boundary', allow('orders:*'));
const sessionOther = policy('session', 'session', allow('billing:*'));
const guardOther = policy('guard', 'guardrail', allow('billing:*'));
const resourceNaming = (principal: unknown) =>
  policy('resource', 'resource', allow('orders:GetOrder', ORDER, { Principal: principal }));

const PRINCIPAL_PAGE =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html';
const EVALUATION_PAGE =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html';
const ANALYZER_CHECKS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html';

table(
  'rule 1: an account principal delegates, it does not grant',
  [
    {
      page: 'AWS JSON policy elements: Principal — AWS account principals',
      url: PRINCIPAL_PAGE,
      sentence:
        'The account ARN and the shortened account ID behave the same way. Both delegate permissions to the account.',
    },
    {
      page: 'Policy evaluation logic — policy evaluation for requests within a single account',
      url: EVALUATION_PAGE,
      sentence:
        'If a resource-based policy grants permission directly to the IAM user or the session principal that is making the request, then an implicit deny in an identity-based policy, a permissions boundary, or a session policy does not impact the final decision.',
    },
    {
      page: 'Policies and permissions in IAM — Examples of JSON policy syntax',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html',
      sentence:
        'Because the policy grants trust only to the account, individual users in the account must still be granted permissions for the specified Amazon S3 actions.',
    },
    {
      page: 'AWS KMS — Default key policy',
      url: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html',
      sentence:
        'does not by itself give any IAM users or roles access … but it enables you to use IAM policies to do so',
    },
  ],
  [
    {
      name: 'old: {"AWS": account} with no identity policy granted alone; now ImplicitDeny',
      decide: () =>
        authorize(ask(), { identityPolicies: [], resourcePolicies: [resourceNaming({ AWS: ACCOUNT })] }),
      expected: 'ImplicitDeny',
    },
    {
      name: 'old: the :root ARN granted alone; now ImplicitDeny',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [],
          resourcePolicies: [resourceNaming({ AWS: `arn:fedgate:iam::${ACCOUNT}:root` })],
        }),
      expected: 'ImplicitDeny',
    },
    {
      name: 'with an identity-policy Allow the delegation allows',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [identityAllow],
          resourcePolicies: [resourceNaming({ AWS: ACCOUNT })],
        }),
      expected: 'Allow',
    },
    {
      name: 'still capped by the permissions boundary',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [identityAllow],
          permissionsBoundary: boundaryOther,
          resourcePolicies: [resourceNaming({ AWS: ACCOUNT })],
        }),
      expected: 'ImplicitDeny',
    },
    {
      name: 'still capped by session policies',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [identityAllow],
          sessionPolicies: [sessionOther],
          resourcePolicies: [resourceNaming({ AWS: ACCOUNT })],
        }),
      expected: 'ImplicitDeny',
    },
    {
      name: 'naming the session ARN still grants alone (unchanged)',
      decide: () =>
        authorize(ask(), { identityPolicies: [], resourcePolicies: [resourceNaming({ AWS: SESSION })] }),
      expected: 'Allow',
    },
  ],
);

table(
  'rule 2: "*" in a same-account resource policy is not capped by boundary or session policies',
  [
    {
      page: 'AWS JSON policy elements: Principal — IAM role principals',
      url: PRINCIPAL_PAGE,
      sentence:
        'Permissions boundaries and session policies do not limit permissions granted using the aws:PrincipalArn condition key with a wildcard(*) in the Principal element, unless the identity-based policies contain an explicit deny.',
    },
  ],
  [
    {
      name: 'old: capped by a boundary that does not allow; now Allow',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [],
          permissionsBoundary: boundaryOther,
          resourcePolicies: [resourceNaming('*')],
        }),
      expected: 'Allow',
    },
    {
      name: 'old: capped by a session policy that does not allow; now Allow',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [],
          sessionPolicies: [sessionOther],
          resourcePolicies: [resourceNaming('*')],
        }),
      expected: 'Allow',
    },
    {
      name: '{"AWS": "*"} is the same as "*"',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [],
          permissionsBoundary: boundaryOther,
          resourcePolicies: [resourceNaming({ AWS: '*' })],
        }),
      expected: 'Allow',
    },
    {
      name: 'an explicit deny in an identity policy still wins',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [policy('id', 'identity', deny('orders:GetOrder'))],
          permissionsBoundary: boundaryOther,
          resourcePolicies: [resourceNaming('*')],
        }),
      expected: 'ExplicitDeny',
    },
    {
      name: 'guardrails (SCP-like) still apply',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [],
          guardrails: [guardOther],
          resourcePolicies: [resourceNaming('*')],
        }),
      expected: 'ImplicitDeny',
    },
    {
      name: 'cross account it is not enough alone (unchanged)',
      decide: () =>
        authorize(ask({}, 'arn:fedgate:orders::111111111111:order/42'), {
          identityPolicies: [],
          resourcePolicies: [policy('rp', 'resource', allow('orders:GetOrder', '*', { Principal: '*' }))],
        }),
      expected: 'ImplicitDeny',
    },
  ],
);

const notPrincipalDeny = (listed: unknown) =>
  policy(
    'resource',
    'resource',
    allow('orders:GetOrder', ORDER, { Principal: { AWS: ACCOUNT } }),
    deny('orders:GetOrder', ORDER, { NotPrincipal: listed }),
  );

table(
  'rule 3: NotPrincipal with Deny always denies a principal that has a permissions boundary',
  [
    {
      page: 'Permissions boundaries for IAM entities',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html',
      sentence:
        'The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions boundary policy attached, regardless of the values specified in the NotPrincipal element.',
    },
  ],
  [
    {
      name: 'old: the listed session with a boundary was not denied; now ExplicitDeny',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [identityAllow],
          permissionsBoundary: boundaryAllow,
          resourcePolicies: [notPrincipalDeny({ AWS: [SESSION, ROLE, `arn:fedgate:iam::${ACCOUNT}:root`] })],
        }),
      expected: 'ExplicitDeny',
    },
    {
      name: 'without a boundary the listed session is not denied',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [identityAllow],
          resourcePolicies: [notPrincipalDeny({ AWS: [SESSION, ROLE, `arn:fedgate:iam::${ACCOUNT}:root`] })],
        }),
      expected: 'Allow',
    },
    {
      name: 'a principal not listed is denied either way',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [identityAllow],
          resourcePolicies: [notPrincipalDeny({ AWS: `arn:fedgate:iam::${ACCOUNT}:role/Other` })],
        }),
      expected: 'ExplicitDeny',
    },
    {
      name: 'the Deny still needs its action to match',
      decide: () =>
        authorize(
          { ...ask(), action: 'orders:ListOrders' },
          {
            identityPolicies: [identityAllow],
            permissionsBoundary: boundaryAllow,
            resourcePolicies: [notPrincipalDeny({ AWS: SESSION })],
          },
        ),
      expected: 'Allow',
    },
  ],
);

const tenantGuardrail = policy(
  'guard',
  'guardrail',
  allow('*'),
  deny('orders:*', undefined, {
    Resource: undefined,
    NotResource: 'arn:fedgate:orders:::order/${aws:PrincipalTag/team}/*',
  }),
);

table(
  'rule 4: a NotResource entry whose variable has no value matches nothing, so it excludes nothing',
  [
    {
      page: 'IAM policy elements: Variables and tags — Policy variables with no value',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html',
      sentence:
        'If a variable that has no value in the authorization context is used as part of the Resource or NotResource element of a policy, the resource that includes a policy variable with no value will not match any resource.',
    },
    {
      page: 'IAM policy elements: Variables and tags — Policy variables with no value',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html',
      sentence:
        'When policy variables reference a condition context key that has no value or is not present in an authorization context for a request, the value is effectively null. There is no equal or like value.',
    },
  ],
  [
    {
      name: 'old: an untagged principal escaped the tenant-isolation Deny; now ExplicitDeny',
      decide: () =>
        authorize(ask({}, 'arn:fedgate:orders:::order/red/1'), {
          identityPolicies: [identityAllow],
          guardrails: [tenantGuardrail],
        }),
      expected: 'ExplicitDeny',
    },
    {
      name: 'a tagged principal reaches its own tenant',
      decide: () =>
        authorize(ask({ 'aws:PrincipalTag/team': 'red' }, 'arn:fedgate:orders:::order/red/1'), {
          identityPolicies: [identityAllow],
          guardrails: [tenantGuardrail],
        }),
      expected: 'Allow',
    },
    {
      name: "a tagged principal is denied another tenant's orders",
      decide: () =>
        authorize(ask({ 'aws:PrincipalTag/team': 'red' }, 'arn:fedgate:orders:::order/blue/1'), {
          identityPolicies: [identityAllow],
          guardrails: [tenantGuardrail],
        }),
      expected: 'ExplicitDeny',
    },
  ],
);

table(
  'rule 5: ForAnyValue:…IfExists on a missing key is false',
  [
    {
      page: 'Single-valued vs. multivalued context keys — ForAnyValue',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html',
      sentence: 'For no matching context key or if the key does not exist, the condition returns false.',
    },
  ],
  [
    {
      name: 'old: true on a missing key; now false',
      decide: () => conditionHolds({ 'ForAnyValue:StringEqualsIfExists': { 'fedgate:groups': 'admin' } }, {}),
      expected: false,
    },
    {
      name: 'old: a Deny on ForAnyValue:StringNotEqualsIfExists fired on a missing key; now it does not',
      decide: () =>
        authorize(ask(), {
          identityPolicies: [
            policy(
              'id',
              'identity',
              allow('orders:*'),
              deny('orders:*', '*', {
                Condition: { 'ForAnyValue:StringNotEqualsIfExists': { 'fedgate:groups': 'ops' } },
              }),
            ),
          ],
        }),
      expected: 'Allow',
    },
    {
      name: 'present key: decided by the operator',
      decide: () =>
        conditionHolds(
          { 'ForAnyValue:StringEqualsIfExists': { 'fedgate:groups': 'admin' } },
          { 'fedgate:groups': ['dev', 'admin'] },
        ),
      expected: true,
    },
    {
      name: 'plain …IfExists on a missing key stays true',
      decide: () => conditionHolds({ StringEqualsIfExists: { 'aws:PrincipalTag/team': 'red' } }, {}),
      expected: true,
    },
  ],
);

table(
  'rule 6: Arn* operators on a value or pattern that is not an ARN are false, negated ones included',
  [
    {
      page: 'IAM JSON policy elements: Condition operators — Amazon Resource Name (ARN) condition operators',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
      sentence: 'Each of the six colon-delimited components of the ARN is checked separately',
    },
    {
      page: 'Access Analyzer policy check reference — General warning: Type mismatch',
      url: ANALYZER_CHECKS,
      sentence: 'Type mismatch: Use the operator type instead of operator for the condition key.',
    },
  ],
  [
    {
      name: 'old: ArnNotLike on a non-ARN value was true; now false',
      decide: () =>
        conditionHolds(
          { ArnNotLike: { 'aws:SourceArn': 'arn:fedgate:orders:::*' } },
          { 'aws:SourceArn': 'not-an-arn' },
        ),
      expected: false,
    },
    {
      name: 'old: ArnNotEquals on a non-ARN pattern was true; now false',
      decide: () =>
        conditionHolds(
          { ArnNotEquals: { 'aws:SourceArn': 'orders' } },
          { 'aws:SourceArn': 'arn:fedgate:orders:::order/1' },
        ),
      expected: false,
    },
    {
      name: 'ArnLike on a non-ARN value is false',
      decide: () => conditionHolds({ ArnLike: { 'aws:SourceArn': '*' } }, { 'aws:SourceArn': 'not-an-arn' }),
      expected: false,
    },
    {
      name: 'ArnNotLike on an ARN that does not match is true (unchanged)',
      decide: () =>
        conditionHolds(
          { ArnNotLike: { 'aws:SourceArn': 'arn:fedgate:billing:::*' } },
          { 'aws:SourceArn': 'arn:fedgate:orders:::order/1' },
        ),
      expected: true,
    },
    {
      name: 'ArnNotLike on a missing key is true (negated operators match a missing key, unchanged)',
      decide: () => conditionHolds({ ArnNotLike: { 'aws:SourceArn': 'arn:fedgate:billing:::*' } }, {}),
      expected: true,
    },
  ],
);

table(
  'rule 7: ForAllValues:Null is always true, ForAnyValue:Null always false',
  [
    {
      page: 'Access Analyzer policy check reference — Suggestion: Null with qualifier',
      url: ANALYZER_CHECKS,
      sentence:
        'When you use the Null condition operator with ForAllValues, the statement always returns true. When you use the Null condition operator with ForAnyValue, the statement always returns false.',
    },
  ],
  [
    {
      name: 'old: ForAllValues:Null "true" was false on a present key; now true',
      decide: () =>
        conditionHolds({ 'ForAllValues:Null': { 'aws:TagKeys': 'true' } }, { 'aws:TagKeys': ['a'] }),
      expected: true,
    },
    {
      name: 'ForAllValues:Null "false" on a missing key is true',
      decide: () => conditionHolds({ 'ForAllValues:Null': { 'aws:TagKeys': 'false' } }, {}),
      expected: true,
    },
    {
      name: 'old: ForAnyValue:Null "true" was true on a missing key; now false',
      decide: () => conditionHolds({ 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } }, {}),
      expected: false,
    },
    {
      name: 'ForAnyValue:Null "false" on a present key is false',
      decide: () =>
        conditionHolds({ 'ForAnyValue:Null': { 'aws:TagKeys': 'false' } }, { 'aws:TagKeys': ['a'] }),
      expected: false,
    },
    {
      name: 'plain Null is unchanged',
      decide: () => conditionHolds({ Null: { 'aws:TagKeys': 'true' } }, {}),
      expected: true,
    },
  ],
);

const trustFederated = (name: string) =>
  policy('trust', 'trust', {
    Effect: 'Allow',
    Principal: { Federated: name },
    Action: 'sts:AssumeRoleWithWebIdentity',
  });
const providerB: PrincipalIdentity = {
  type: 'Federated',
  id: 'provider-b',
  aliases: ['arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/B', 'oidc.example.com/id/B'],
};
const assumeAs = (trust: ReturnType<typeof trustFederated>, who: PrincipalIdentity) =>
  authorizeAssumeRole(trust, {
    principal: who,
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: 'arn:fedgate:iam::000000000000:role/R',
    context: {},
  });

table(
  'rule 8: Federated principals name a provider exactly',
  [
    {
      page: 'AWS JSON policy elements: Principal — SAML session principals',
      url: PRINCIPAL_PAGE,
      sentence: '"Principal": { "Federated": "arn:aws:iam::AWS-account-ID:saml-provider/provider-name" }',
    },
    {
      page: 'AWS JSON policy elements: Principal — Web identity session principals',
      url: PRINCIPAL_PAGE,
      sentence: '"Principal": { "Federated": "accounts.google.com" }',
    },
  ],
  [
    {
      name: 'old: a bare host named every provider on it; now provider B is not named by "oidc.example.com"',
      decide: () => assumeAs(trustFederated('oidc.example.com'), providerB),
      expected: 'ImplicitDeny',
    },
    {
      name: "provider A's ARN does not name provider B on the same host",
      decide: () =>
        assumeAs(
          trustFederated('arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/A'),
          providerB,
        ),
      expected: 'ImplicitDeny',
    },
    {
      name: 'the provider ARN with the issuer path names it',
      decide: () =>
        assumeAs(
          trustFederated('arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/B'),
          providerB,
        ),
      expected: 'Allow',
    },
    {
      name: 'the configured provider id names it',
      decide: () => assumeAs(trustFederated('provider-b'), providerB),
      expected: 'Allow',
    },
    {
      name: 'the issuer without scheme names it',
      decide: () => assumeAs(trustFederated('oidc.example.com/id/B'), providerB),
      expected: 'Allow',
    },
  ],
);

const CALLER = `arn:fedgate:sts::${ACCOUNT}:assumed-role/Developer/alice`;
const TARGET = `arn:fedgate:iam::${ACCOUNT}:role/Auditor`;
const trustNaming = (principal: unknown) =>
  policy('trust', 'trust', { Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });
const chain = (trust: ReturnType<typeof trustNaming>, caller: PolicySet, resource = TARGET) =>
  authorizeAssumeRole(trust, { principal: alice, action: 'sts:AssumeRole', resource, context: {} }, caller);
const callerMayAssume = policy('caller', 'identity', allow('sts:AssumeRole', TARGET));

table(
  'rule 9: role chaining in one account',
  [
    {
      page: 'Policy evaluation logic — policy evaluation for requests within a single account',
      url: EVALUATION_PAGE,
      sentence:
        'If a resource-based policy grants permission directly to the IAM user or the session principal that is making the request, then an implicit deny in an identity-based policy, a permissions boundary, or a session policy does not impact the final decision.',
    },
    {
      page: 'Policy evaluation logic — policy evaluation for requests within a single account',
      url: EVALUATION_PAGE,
      sentence:
        'Resource-based policies that grant permissions to an IAM role ARN are limited by an implicit deny in a permissions boundary or session policy.',
    },
    {
      page: 'Grant a user permissions to switch roles',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html',
      sentence:
        'That allows potentially any user in the trusted account to assume the role. To complete the configuration, the administrator of the trusted account must give specific groups or users in that account permission to switch to the role.',
    },
  ],
  [
    {
      name: "old: a trust policy naming the caller's session ARN still needed the caller's Allow; now Allow",
      decide: () => chain(trustNaming({ AWS: CALLER }), { identityPolicies: [] }),
      expected: 'Allow',
    },
    {
      name: "old: a trust policy naming the caller's role ARN still needed the caller's Allow; now Allow",
      decide: () => chain(trustNaming({ AWS: ROLE }), { identityPolicies: [] }),
      expected: 'Allow',
    },
    {
      name: "naming the role ARN is still capped by the caller's boundary",
      decide: () =>
        chain(trustNaming({ AWS: ROLE }), { identityPolicies: [], permissionsBoundary: boundaryOther }),
      expected: 'ImplicitDeny',
    },
    {
      name: "a trust policy naming the account needs the caller's own Allow",
      decide: () => chain(trustNaming({ AWS: ACCOUNT }), { identityPolicies: [] }),
      expected: 'ImplicitDeny',
    },
    {
      name: 'with that Allow it may',
      decide: () => chain(trustNaming({ AWS: ACCOUNT }), { identityPolicies: [callerMayAssume] }),
      expected: 'Allow',
    },
    {
      name: 'a trust policy that does not name the caller refuses even with the Allow',
      decide: () =>
        chain(trustNaming({ AWS: `arn:fedgate:iam::${ACCOUNT}:role/Other` }), {
          identityPolicies: [callerMayAssume],
        }),
      expected: 'ImplicitDeny',
    },
    {
      name: "an explicit deny in the caller's policies wins over the trust policy",
      decide: () =>
        chain(trustNaming({ AWS: CALLER }), {
          identityPolicies: [policy('c', 'identity', deny('sts:AssumeRole'))],
        }),
      expected: 'ExplicitDeny',
    },
    {
      name: 'cross account the caller needs its own Allow even when named directly',
      decide: () =>
        chain(
          trustNaming({ AWS: CALLER }),
          { identityPolicies: [] },
          'arn:fedgate:iam::111111111111:role/Auditor',
        ),
      expected: 'ImplicitDeny',
    },
  ],
);

const KEPT_SOURCES: Record<string, readonly Source[]> = {
  sessionArn: [
    {
      page: 'Policies and permissions in IAM — Session policies',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html',
      sentence:
        'A resource-based policy can specify the ARN of the session as a principal. In that case, the permissions from the resource-based policy are added after the session is created. The resource-based policy permissions are not limited by the session policy.',
    },
  ],
  negatedNull: [
    {
      page: 'IAM policy elements: Variables and tags — Policy variables with no value',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html',
      sentence:
        'Inverted condition operators like StringNotEquals or StringNotLike do match against a null value, as the value of the condition key they are testing against is not equal to or like the effectively null value.',
    },
  ],
  exponent: [
    {
      page: 'Grammar of the IAM JSON policy language — The policy language and JSON',
      url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
      sentence: 'Basic JSON data types (Boolean, number, and string) are defined in RFC 7159.',
    },
  ],
  caseDuplicates: [
    {
      page: 'Access Analyzer policy check reference — Error: Duplicate keys with different case',
      url: ANALYZER_CHECKS,
      sentence:
        'The condition key appears more than once with different capitalization in the same condition block. Remove the duplicate condition keys.',
    },
  ],
};

describe('kept as they were, now documented', () => {
  describe('a resource policy naming the session ARN is not limited by session policies', () => {
    recordsSources(KEPT_SOURCES.sessionArn ?? []);
    it('Allow with a session policy that does not allow the action', () => {
      expect(
        authorize(ask(), {
          identityPolicies: [],
          sessionPolicies: [sessionOther],
          resourcePolicies: [resourceNaming({ AWS: SESSION })],
        }).decision,
      ).toBe('Allow');
    });
  });

  describe('negated operators match when a variable has no value', () => {
    recordsSources(KEPT_SOURCES.negatedNull ?? []);
    it('StringNotEquals against a variable without a value holds; StringEquals does not', () => {
      const condition = (operator: string) => ({
        [operator]: { 'aws:username': '${aws:PrincipalTag/team}' },
      });
      expect(conditionHolds(condition('StringNotEquals'), { 'aws:username': 'a' })).toBe(true);
      expect(conditionHolds(condition('StringEquals'), { 'aws:username': 'a' })).toBe(false);
    });
  });

  describe('exponent numbers are read', () => {
    recordsSources(KEPT_SOURCES.exponent ?? []);
    it('"5e1" equals 50, as a string and as a JSON number', () => {
      expect(
        conditionHolds(
          { NumericEquals: { 'aws:MultiFactorAuthAge': '5e1' } },
          { 'aws:MultiFactorAuthAge': '50' },
        ),
      ).toBe(true);
      expect(
        conditionHolds(
          { NumericEquals: { 'aws:MultiFactorAuthAge': 5e1 } },
          { 'aws:MultiFactorAuthAge': '50' },
        ),
      ).toBe(true);
    });
  });

  describe('condition keys equal up to case under one operator are an error', () => {
    recordsSources(KEPT_SOURCES.caseDuplicates ?? []);
    it('MalformedPolicyDocument', () => {
      expect(
        simulate({
          identityPolicies: [
            {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'orders:*',
                  Resource: '*',
                  Condition: { StringEquals: { 'aws:username': 'a', 'AWS:USERNAME': 'b' } },
                },
              ],
            },
          ],
          action: 'orders:GetOrder',
          resource: ORDER,
        }),
      ).toMatchObject({ error: { code: 'MalformedPolicyDocument' } });
    });
  });
});
