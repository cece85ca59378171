import {
  authorize,
  parsePolicy,
  type CompiledPolicy,
  type ContextInput,
  type PolicyKind,
} from '../../../src/policy/index.js';

/** An identity policy with one Allow statement for `test:Act` on `*` under the given Condition. */
export function conditionPolicy(condition: Record<string, unknown>, version = '2012-10-17'): CompiledPolicy {
  return parsePolicy(
    {
      Version: version,
      Statement: [{ Effect: 'Allow', Action: 'test:Act', Resource: '*', Condition: condition }],
    },
    { name: 'p', kind: 'identity' },
  );
}

/** True when the Condition block holds for the context (the statement allows). */
export function conditionHolds(
  condition: Record<string, unknown>,
  context: ContextInput,
  version?: string,
): boolean {
  return (
    authorize(
      { action: 'test:Act', resource: 'arn:fedgate:test:::r', context },
      { identityPolicies: [conditionPolicy(condition, version)] },
    ).decision === 'Allow'
  );
}

/** Compiles statements into a 2012-10-17 policy of the given kind. */
export function policy(
  name: string,
  kind: PolicyKind,
  ...statements: Record<string, unknown>[]
): CompiledPolicy {
  return parsePolicy({ Version: '2012-10-17', Statement: statements }, { name, kind });
}

/** An Allow statement for the action and resource patterns. */
export function allow(
  action: string | string[],
  resource: string | string[] = '*',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

/** A Deny statement for the action and resource patterns. */
export function deny(
  action: string | string[],
  resource: string | string[] = '*',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}
