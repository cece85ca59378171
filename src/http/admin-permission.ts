import type { Request } from 'express';
import type { GatewayConfig } from '../config/index.js';
import { FedgateError } from '../errors/index.js';
import { authorizeSession, type PolicyCatalog } from '../roles/index.js';
import { readCredential, type RoleSession, type SessionService } from '../sessions/index.js';

/** What checking an administrator's permission needs. */
export interface AdminPermissionDeps {
  readonly getConfig: () => GatewayConfig;
  readonly getCatalog: () => PolicyCatalog;
  readonly sessions: SessionService;
  readonly now?: () => number;
}

/** `arn:<partition>:fedgate::<account>:<resource>`: what fedgate's own admin actions act on. */
export function adminArn(config: GatewayConfig, resource: string): string {
  return `arn:${config.partition}:fedgate::${config.account}:${resource}`;
}

/**
 * The session of `credential`, once its role is allowed `action` on `resource` by fedgate's own policy
 * engine (SPEC 4.6); InvalidToken or AccessDenied otherwise.
 */
export async function requireAdminPermission(
  deps: AdminPermissionDeps,
  req: Request,
  credential: string,
  action: string,
  resource: string,
): Promise<RoleSession> {
  const session = await deps.sessions.verify(credential);
  const decision = authorizeSession(deps.getCatalog(), session, {
    action,
    resource,
    context: { 'aws:SourceIp': req.ip ?? '', 'aws:SecureTransport': req.secure },
    now: (deps.now ?? Date.now)(),
  });
  if (decision.decision !== 'Allow') {
    throw new FedgateError('AccessDenied', `${session.principalArn} is not allowed ${action} on ${resource}`);
  }
  return session;
}

/** The `Authorization: Bearer` credential of an API request; InvalidToken when there is none. */
export function bearerToken(req: Request): string {
  const reading = readCredential({ authorization: req.get('authorization') }, { cookie: false });
  if (reading.status !== 'present') {
    throw new FedgateError('InvalidToken', 'Authorization: Bearer <session credential> is required');
  }
  return reading.credential.token;
}
