import { z } from 'zod';
import type { GatewayConfig } from '../config/index.js';
import { literalPattern, type ActivityRecorder } from '../access-analysis/index.js';
import { NAME_PATTERN } from '../catalog/names.js';
import { FedgateError, isFedgateError } from '../errors/index.js';
import type { BlockingLayer, Decision } from '../policy/index.js';
import { authorizeSession, simulatedSession, type PolicyCatalog } from '../roles/index.js';
import type { CredentialReading, RoleSession } from '../sessions/index.js';
import type { VerifiedSessionCache } from './verified-session-cache.js';

/** What `POST /authz/check` needs from the authorizer. */
export interface CheckDeps {
  readonly cache: VerifiedSessionCache;
  getCatalog(): PolicyCatalog;
  getConfig(): GatewayConfig;
  readonly now: () => number;
  /** Where token checks are counted (issue 15); simulations of a principal are not activity. */
  readonly activity?: ActivityRecorder;
}

/** The simulation permission of SPEC 4.5, on `arn:<partition>:fedgate::<account>:role/<role>`. */
export const SIMULATE_PRINCIPAL_ACTION = 'fedgate:SimulatePrincipalPolicy';

const SESSION_NAME = /^[A-Za-z0-9+=,.@_-]{2,64}$/;
const SIMULATED_SESSION_NAME = 'simulated';

const contextValueSchema = z.union([
  z.string().max(4096),
  z.boolean(),
  z.number(),
  z.array(z.string().max(4096)).max(100),
]);
const checkRequestSchema = z
  .strictObject({
    token: z.string().min(1).max(8192).optional(),
    principal: z.string().min(1).max(2048).optional(),
    action: z.string().min(1).max(256),
    resource: z.string().min(1).max(2048),
    context: z
      .record(z.string().min(1).max(256), contextValueSchema)
      .refine((context) => Object.keys(context).length <= 200, 'at most 200 context keys')
      .optional(),
  })
  .refine((body) => (body.token === undefined) !== (body.principal === undefined), {
    message: 'give exactly one of token or principal',
  });

type CheckRequest = z.infer<typeof checkRequestSchema>;
const KNOWN_FIELDS = new Set(['token', 'principal', 'action', 'resource', 'context']);
type ContextInput = NonNullable<CheckRequest['context']>;

/** The check call itself, as `http/` read it. */
export interface CheckCall {
  /** The caller's address (through trusted proxies only). */
  readonly sourceIp: string | undefined;
  readonly secure: boolean;
  /** The caller's own credential on the call (bearer or cookie). */
  readonly credential: CredentialReading;
}

/** The decision a check returns: what the caller may see. */
export interface CheckAnswer {
  readonly decision: Decision['decision'];
  readonly principal: string;
  readonly matchedStatements?: readonly { policy: string; sid?: string; effect: string }[];
  /** On a deny, with the statements: the layer that denied (as `fedgate policy simulate` reports it). */
  readonly blockedBy?: BlockingLayer;
}

/** What `POST /authz/check` decided; bad input throws a FedgateError ValidationError instead. */
export type CheckOutcome =
  | { readonly kind: 'answer'; readonly answer: CheckAnswer }
  | { readonly kind: 'unauthenticated'; readonly credential: 'missing' | 'invalid' }
  | { readonly kind: 'forbidden' };

/**
 * `POST /authz/check` (SPEC 4.5): the decision for a token, or — with the caller's own session allowed
 * `fedgate:SimulatePrincipalPolicy` — for a role principal, through the same `authorizeSession`.
 *
 * With a token the caller states only its own context keys: the keys the gateway owns (principal, time, request
 * and configured resource keys) are refused, and the gateway sets `aws:SourceIp` and `aws:SecureTransport` from
 * the check call. Which statements decided is told only to a caller allowed `fedgate:SimulatePrincipalPolicy`.
 */
export async function checkAccess(input: unknown, call: CheckCall, deps: CheckDeps): Promise<CheckOutcome> {
  const body = parseBody(input);
  const catalog = deps.getCatalog();
  const config = deps.getConfig();
  const now = deps.now();

  if (body.token !== undefined) {
    const owned = gatewayOwnedKey(body.context ?? {}, catalog.isConfiguredResource(body.resource));
    if (owned !== undefined)
      throw new FedgateError(
        'ValidationError',
        `context may not set ${owned}: the gateway sets them (principal, time, request and configured resource keys)`,
      );
    const { session } = await deps.cache.resolve(body.token);
    const context: ContextInput = { ...body.context, 'aws:SecureTransport': call.secure };
    if (call.sourceIp !== undefined) context['aws:SourceIp'] = call.sourceIp;
    const decision = authorizeSession(catalog, session, {
      action: body.action,
      resource: body.resource,
      context,
      now,
    });
    deps.activity?.recordDecision(
      session.roleName,
      body.action,
      literalPattern(body.resource),
      decision.decision === 'Allow',
      now,
    );
    // Explanations only for a caller (its own credential on the call) allowed to simulate the token's role.
    let explain = false;
    if (call.credential.status !== 'absent') {
      const caller = await callerSession(call.credential, deps);
      if (caller === undefined) return { kind: 'unauthenticated', credential: 'invalid' };
      explain = mayExplain(catalog, caller, config, session.roleName, now);
    }
    return { kind: 'answer', answer: checkResult(decision, session.principalArn, explain) };
  }

  if (call.credential.status === 'absent') return { kind: 'unauthenticated', credential: 'missing' };
  const caller = await callerSession(call.credential, deps);
  if (caller === undefined) return { kind: 'unauthenticated', credential: 'invalid' };

  const target = parsePrincipal(body.principal ?? '', config.partition, config.account);
  if (target === undefined)
    throw new FedgateError(
      'ValidationError',
      'principal must be a role name, a role ARN or an assumed-role ARN of this partition and account',
    );
  if (!mayExplain(catalog, caller, config, target.roleName, now)) return { kind: 'forbidden' };
  const role = catalog.role(target.roleName);
  if (role === undefined) throw new FedgateError('ValidationError', 'principal names no configured role');
  const simulated = simulatedSession(role.name, target.sessionName, config, now);
  const decision = authorizeSession(catalog, simulated, {
    action: body.action,
    resource: body.resource,
    context: body.context ?? {},
    now,
  });
  return { kind: 'answer', answer: checkResult(decision, simulated.principalArn, true) };
}

/** The caller's own live session, or undefined when its credential is refused. */
async function callerSession(
  credential: CredentialReading,
  deps: CheckDeps,
): Promise<RoleSession | undefined> {
  if (credential.status !== 'present') return undefined;
  try {
    return (await deps.cache.resolve(credential.credential.token)).session;
  } catch (error) {
    if (isFedgateError(error) && (error.code === 'InvalidToken' || error.code === 'ExpiredToken'))
      return undefined;
    throw error;
  }
}

/** True when the caller is allowed `fedgate:SimulatePrincipalPolicy` on the role. */
function mayExplain(
  catalog: PolicyCatalog,
  caller: RoleSession,
  config: GatewayConfig,
  roleName: string,
  now: number,
): boolean {
  return (
    authorizeSession(catalog, caller, {
      action: SIMULATE_PRINCIPAL_ACTION,
      resource: `arn:${config.partition}:fedgate::${config.account}:role/${roleName}`,
      now,
    }).decision === 'Allow'
  );
}

/** Prefixes (lower-case) of the context keys the gateway owns on a token check. */
const OWNED_KEY_PREFIXES = ['aws:principal', 'fedgate:pathparam/', 'fedgate:queryparam/', 'fedgate:request'];
const OWNED_KEYS = new Set([
  'aws:userid',
  'aws:username',
  'aws:federatedprovider',
  'aws:multifactorauthpresent',
  'aws:multifactorauthage',
  'aws:tokenissuetime',
  'aws:sourceidentity',
  'aws:currenttime',
  'aws:epochtime',
  'aws:sourceip',
  'aws:securetransport',
  'aws:resourceaccount',
]);

/** The kind of the first gateway-owned key the caller tried to set (never the caller's own text), if any. */
function gatewayOwnedKey(context: ContextInput, configuredResource: boolean): string | undefined {
  for (const key of Object.keys(context)) {
    const lower = key.toLowerCase();
    if (OWNED_KEYS.has(lower) || OWNED_KEY_PREFIXES.some((prefix) => lower.startsWith(prefix)))
      return 'a gateway-owned key';
    if (configuredResource && lower.startsWith('aws:resourcetag/'))
      return 'aws:ResourceTag keys of a configured resource';
  }
  return undefined;
}

function checkResult(decision: Decision, principal: string, explain: boolean): CheckAnswer {
  if (!explain) return { decision: decision.decision, principal };
  return {
    decision: decision.decision,
    principal,
    matchedStatements: decision.matchedStatements.map((statement) => ({
      policy: statement.policy,
      ...(statement.sid === undefined ? {} : { sid: statement.sid }),
      effect: statement.effect,
    })),
    ...(decision.blockedBy === undefined ? {} : { blockedBy: decision.blockedBy }),
  };
}

function parseBody(value: unknown): CheckRequest {
  const result = checkRequestSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // Only the schema's own field names: an unknown key or a context key is the caller's text, never echoed.
  const field = issue?.path[0];
  const known = typeof field === 'string' && KNOWN_FIELDS.has(field) ? `${field}: ` : '';
  const message =
    issue?.code === 'unrecognized_keys'
      ? 'unknown field (allowed: token, principal, action, resource, context)'
      : issue?.code === 'custom'
        ? issue.message
        : 'is missing or invalid';
  throw new FedgateError('ValidationError', `${known}${message}`);
}

function parsePrincipal(
  principal: string,
  partition: string,
  account: string,
): { roleName: string; sessionName: string } | undefined {
  const sessionPrefix = `arn:${partition}:sts::${account}:assumed-role/`;
  const rolePrefix = `arn:${partition}:iam::${account}:role/`;
  if (principal.startsWith(sessionPrefix)) {
    const [roleName = '', sessionName = '', ...rest] = principal.slice(sessionPrefix.length).split('/');
    return rest.length === 0 && NAME_PATTERN.test(roleName) && SESSION_NAME.test(sessionName)
      ? { roleName, sessionName }
      : undefined;
  }
  const roleName = principal.startsWith(rolePrefix) ? principal.slice(rolePrefix.length) : principal;
  return NAME_PATTERN.test(roleName) ? { roleName, sessionName: SIMULATED_SESSION_NAME } : undefined;
}
