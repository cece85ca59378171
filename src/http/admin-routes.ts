import type { Express, Request } from 'express';
import type { GatewayConfig } from '../config/index.js';
import { FedgateError } from '../errors/index.js';
import { simulate } from '../policy/index.js';
import { rolePolicyDocuments, type PolicyCatalog } from '../roles/index.js';
import type { RoleSession, SessionService } from '../sessions/index.js';
import type { AuditLog } from '../audit/index.js';
import { adminArn as arnOf, bearerToken, requireAdminPermission } from './admin-permission.js';

/** What the administration endpoints need. */
export interface AdminDependencies {
  readonly getConfig: () => GatewayConfig;
  readonly getCatalog: () => PolicyCatalog;
  readonly sessions: SessionService;
  readonly audit: AuditLog;
  readonly now?: () => number;
}

/**
 * fedgate's own administration API (SPEC 4.6), authorized by fedgate's policy engine: the caller's role session
 * needs `fedgate:<Action>` on `arn:<partition>:fedgate::<account>:<resource>`.
 */
export function adminRoutes(deps: AdminDependencies): (app: Express) => void {
  const adminArn = (resource: string): string => arnOf(deps.getConfig(), resource);

  /** The caller's session, once its role is allowed the action on the resource; AccessDenied otherwise. */
  const requirePermission = (req: Request, action: string, resource: string): Promise<RoleSession> =>
    requireAdminPermission(deps, req, bearerToken(req), action, resource);

  return (app) => {
    app.post('/policy/simulate', async (req, res) => {
      await requirePermission(req, 'fedgate:SimulateCustomPolicy', adminArn('simulation'));
      const config = deps.getConfig();
      const result = simulate(req.body, (role, resource) => rolePolicyDocuments(config, role, resource));
      res.status('error' in result ? 400 : 200).json(result);
    });

    app.get('/sessions', async (req, res) => {
      await requirePermission(req, 'fedgate:ListSessions', adminArn('session/*'));
      const role = typeof req.query.role === 'string' && req.query.role !== '' ? req.query.role : undefined;
      const subject =
        typeof req.query.subject === 'string' && req.query.subject !== '' ? req.query.subject : undefined;
      if (role === undefined && subject === undefined) {
        throw new FedgateError('ValidationError', 'give role= or subject= to list sessions');
      }
      const sessions = await deps.sessions.list({
        ...(role === undefined ? {} : { role }),
        ...(subject === undefined ? {} : { subject }),
      });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ sessions: sessions.map(publicView) });
    });

    app.delete('/sessions/:id', async (req, res) => {
      const id = String(req.params.id);
      const caller = await requirePermission(req, 'fedgate:RevokeSessions', adminArn(`session/${id}`));
      const revoked = await deps.sessions.revokeSession(id);
      deps.audit.record({
        event: 'session.revoked',
        outcome: revoked ? 'success' : 'failure',
        principal: caller.principalArn,
        session: id,
        sourceIp: req.ip ?? '',
        requestId: req.id,
        ...(revoked ? {} : { reason: 'NotFound' }),
      });
      if (!revoked) throw new FedgateError('NotFound', 'No live session with that id');
      res.status(204).end();
    });
  };
}

/** What an administrator may see of a session: never its secret hash or policy text. */
function publicView(session: RoleSession): Record<string, unknown> {
  return {
    SessionId: session.id,
    Arn: session.principalArn,
    RoleArn: session.roleArn,
    Provider: session.provider,
    Subject: session.subject,
    Tags: session.tags,
    SourceIdentity: session.sourceIdentity,
    MultiFactorAuthPresent: session.mfa,
    HasSessionPolicy: session.hasSessionPolicy,
    Audience: session.audience,
    Chain: session.chain,
    IssuedAt: new Date(session.issuedAt * 1000).toISOString(),
    Expiration: new Date(session.expiresAt * 1000).toISOString(),
  };
}
