import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { GatewayConfig } from '../config/index.js';
import { FedgateError, isFedgateError } from '../errors/index.js';
import { requestIdFrom } from '../http/index.js';
import type { Decision } from '../policy/index.js';
import { authorizeSession, type PolicyCatalog } from '../roles/index.js';
import { sessionContextKeys, type RoleSession } from '../sessions/index.js';
import { answerForbidden, answerJson, answerUnauthenticated } from './authz-answers.js';
import { credentialOf } from './request-credential.js';
import type { VerifiedSessionCache } from './verified-session-cache.js';

/** What `POST /authz/check` needs from the authorizer. */
export interface CheckDeps {
  readonly cache: VerifiedSessionCache;
  getCatalog(): PolicyCatalog;
  getConfig(): GatewayConfig;
  readonly now: () => number;
}

/** The simulation permission of SPEC 4.5, on `arn:<partition>:fedgate::<account>:role/<role>`. */
export const SIMULATE_PRINCIPAL_ACTION = 'fedgate:SimulatePrincipalPolicy';

const MAX_BODY_BYTES = 64 * 1024;
const ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
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
type ContextInput = NonNullable<CheckRequest['context']>;

/** True for `POST /authz/check` with a JSON body (anything else under /authz is a forward-auth question). */
export function isCheckRequest(req: IncomingMessage, path: string): boolean {
  if (path !== '/authz/check' || req.method !== 'POST') return false;
  const type = req.headers['content-type'];
  return type !== undefined && /^application\/json\s*(;|$)/i.test(type);
}

/**
 * `POST /authz/check` (SPEC 4.5): the decision for a token, or — with the caller's own session allowed
 * `fedgate:SimulatePrincipalPolicy` — for a role principal, through the same `authorizeSession`.
 */
export async function handleCheck(req: IncomingMessage, res: ServerResponse, deps: CheckDeps): Promise<void> {
  const body = parseBody(await readJsonBody(req));
  const catalog = deps.getCatalog();
  const now = deps.now();

  if (body.token !== undefined) {
    const { session } = await deps.cache.resolve(body.token);
    // The token's own principal keys are facts, not something the caller may rewrite.
    const context = withoutPrincipalKeys(body.context ?? {}, session, now);
    const decision = authorizeSession(catalog, session, {
      action: body.action,
      resource: body.resource,
      context,
      now,
    });
    answerJson(res, checkResult(decision, session.principalArn));
    return;
  }

  const requestId = requestIdFrom(req.headers['x-request-id']);
  const callerToken = credentialOf(req.headers);
  if (callerToken === undefined || callerToken.length === 0) {
    answerUnauthenticated(res, callerToken === undefined ? 'missing' : 'invalid', requestId);
    return;
  }
  let caller: RoleSession;
  try {
    caller = (await deps.cache.resolve(callerToken)).session;
  } catch (error) {
    if (isFedgateError(error) && (error.code === 'InvalidToken' || error.code === 'ExpiredToken')) {
      answerUnauthenticated(res, 'invalid', requestId);
      return;
    }
    throw error;
  }

  const config = deps.getConfig();
  const target = parsePrincipal(body.principal ?? '', config.partition, config.account);
  if (target === undefined)
    throw new FedgateError(
      'ValidationError',
      'principal must be a role name, a role ARN or an assumed-role ARN of this partition and account',
    );
  const permission = authorizeSession(catalog, caller, {
    action: SIMULATE_PRINCIPAL_ACTION,
    resource: `arn:${config.partition}:fedgate::${config.account}:role/${target.roleName}`,
    now,
  });
  if (permission.decision !== 'Allow') {
    answerForbidden(res, 'AccessDenied', requestId);
    return;
  }
  const role = catalog.role(target.roleName);
  if (role === undefined) throw new FedgateError('ValidationError', 'principal names no configured role');
  const simulated = simulatedSession(role.arn, target.roleName, target.sessionName, config, now);
  const decision = authorizeSession(catalog, simulated, {
    action: body.action,
    resource: body.resource,
    context: body.context ?? {},
    now,
  });
  answerJson(res, checkResult(decision, simulated.principalArn));
}

function checkResult(decision: Decision, principal: string): unknown {
  return {
    decision: decision.decision,
    principal,
    matchedStatements: decision.matchedStatements.map((statement) => ({
      policy: statement.policy,
      ...(statement.sid === undefined ? {} : { sid: statement.sid }),
      effect: statement.effect,
    })),
  };
}

function parseBody(value: unknown): CheckRequest {
  const result = checkRequestSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
  throw new FedgateError('ValidationError', `${path}${issue?.message ?? 'invalid request'}`);
}

/** The body as JSON: Express may already have parsed it (main listener); else read at most 64 KiB. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new FedgateError('PayloadTooLarge', 'Request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new FedgateError('ValidationError', 'Malformed request body');
  }
}

function withoutPrincipalKeys(context: ContextInput, session: RoleSession, now: number): ContextInput {
  const owned = new Set(Object.keys(sessionContextKeys(session, now)).map((key) => key.toLowerCase()));
  const out: ContextInput = {};
  for (const [key, value] of Object.entries(context)) {
    const lower = key.toLowerCase();
    if (owned.has(lower) || lower.startsWith('aws:principaltag/')) continue;
    out[key] = value;
  }
  return out;
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
    return rest.length === 0 && ROLE_NAME.test(roleName) && SESSION_NAME.test(sessionName)
      ? { roleName, sessionName }
      : undefined;
  }
  const roleName = principal.startsWith(rolePrefix) ? principal.slice(rolePrefix.length) : principal;
  return ROLE_NAME.test(roleName) ? { roleName, sessionName: SIMULATED_SESSION_NAME } : undefined;
}

/**
 * A session of the role that exists only for this simulation: no tags, no MFA, no session policy; the
 * caller states tags, MFA and the rest through the request context, which the decision applies last.
 */
function simulatedSession(
  roleArn: string,
  roleName: string,
  sessionName: string,
  config: GatewayConfig,
  now: number,
): RoleSession {
  const issuedAt = Math.floor(now / 1000);
  return {
    id: 'simulation',
    roleName,
    roleArn,
    principalArn: `arn:${config.partition}:sts::${config.account}:assumed-role/${roleName}/${sessionName}`,
    sessionName,
    provider: 'simulation',
    subject: sessionName,
    tags: {},
    transitiveTagKeys: [],
    mfa: false,
    amr: [],
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    accessKeyId: 'simulation',
    secretAccessKeySha256: '',
    issuedAt,
    expiresAt: issuedAt + 3600,
  };
}
