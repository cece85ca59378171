import {
  authorize,
  parsePolicy,
  type CompiledPolicy,
  type ContextInput,
  type ContextValue,
  type Decision,
} from '../policy/index.js';
import { isoSeconds, sessionContextKeys, type RoleSession } from '../sessions/index.js';
import type { PolicyCatalog } from './policy-catalog.js';

/** What a session asks to do: the action, the resource ARN and the request's own context keys. */
export interface SessionRequest {
  readonly action: string;
  readonly resource: string;
  /** Request-specific keys (source IP, transport, route keys…); principal, resource and time keys are added here. */
  readonly context?: ContextInput;
  /** Epoch milliseconds of the decision (the clock is the caller's). */
  readonly now: number;
  /**
   * The resource's own policy when it is not a configured resource: a role's trust policy when the session asks
   * to assume that role (role chaining), which makes it the resource-based policy of the caller's decision.
   */
  readonly resourcePolicy?: CompiledPolicy;
}

const SESSION_POLICY_MEMO_LIMIT = 2048;
const sessionPolicyMemo = new Map<string, readonly CompiledPolicy[]>();

const DENIED_UNKNOWN_ROLE: Decision = Object.freeze({
  decision: 'ImplicitDeny',
  matchedStatements: Object.freeze([]),
  missingContextKeys: Object.freeze([]),
});

/**
 * THE decision for what a role session may do: the portal, the STS API, token exchange, the admin endpoints and
 * the authorizer all call this, so they can never disagree. A session whose role was removed from the
 * configuration may do nothing.
 */
export function authorizeSession(
  catalog: PolicyCatalog,
  session: RoleSession,
  request: SessionRequest,
): Decision {
  const role = catalog.role(session.roleName);
  if (role === undefined || role.arn !== session.roleArn) return DENIED_UNKNOWN_ROLE;
  const resource = catalog.resourceFor(request.resource);
  const context: Record<string, ContextValue> = {};
  const second = Math.floor(request.now / 1000);
  context['aws:CurrentTime'] = isoSeconds(second);
  context['aws:EpochTime'] = String(second);
  copyDefined(context, sessionContextKeys(session, request.now));
  for (const [key, value] of Object.entries(resource.tags)) context[`aws:ResourceTag/${key}`] = value;
  const resourceAccount = accountOf(request.resource);
  if (resourceAccount !== undefined) context['aws:ResourceAccount'] = resourceAccount;
  if (request.context !== undefined) copyDefined(context, request.context);
  return authorize(
    {
      principal: {
        type: 'AWS',
        id: session.principalArn,
        aliases: [session.roleArn],
        account: catalog.account,
      },
      action: request.action,
      resource: request.resource,
      context,
    },
    {
      identityPolicies: role.identityPolicies,
      permissionsBoundary: role.permissionsBoundary,
      sessionPolicies: session.hasSessionPolicy ? compiledSessionPolicies(session) : undefined,
      guardrails: catalog.guardrails,
      resourcePolicies:
        request.resourcePolicy === undefined
          ? resource.policies
          : [...resource.policies, request.resourcePolicy],
    },
  );
}

/** Session policies were validated when the session was issued; they are compiled once per session id. */
function compiledSessionPolicies(session: RoleSession): readonly CompiledPolicy[] {
  const memo = sessionPolicyMemo.get(session.id);
  if (memo !== undefined) return memo;
  const compiled = session.sessionPolicies.map((document, index) =>
    parsePolicy(document, { name: `sessionPolicies[${index}]`, kind: 'session' }),
  );
  if (sessionPolicyMemo.size >= SESSION_POLICY_MEMO_LIMIT) sessionPolicyMemo.clear();
  sessionPolicyMemo.set(session.id, compiled);
  return compiled;
}

function copyDefined(target: Record<string, ContextValue>, source: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value !== undefined) target[key] = value as ContextValue;
  }
}

/** The account segment of an ARN (`arn:p:svc:region:account:…`), when it has one. */
function accountOf(arn: string): string | undefined {
  const parts = arn.split(':', 6);
  return parts.length >= 6 && parts[0] === 'arn' && parts[4] !== '' ? parts[4] : undefined;
}
