import type { Express, Request } from 'express';
import type { GatewayConfig } from '../config/index.js';
import { FedgateError } from '../errors/index.js';
import { simulate } from '../policy/index.js';
import { authorizeSession, rolePolicyDocuments, type PolicyCatalog } from '../roles/index.js';
import type { RoleSession, SessionService } from '../sessions/index.js';
import type { AuditLog } from '../audit/index.js';

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
  const now = deps.now ?? Date.now;
  const adminArn = (resource: string): string => {
    const config = deps.getConfig();
    return `arn:${config.partition}:fedgate::${config.account}:${resource}`;
  };

  /** The caller's session, once its role is allowed the action on the resource; AccessDenied otherwise. */
  const requirePermission = async (req: Request, action: string, resource: string): Promise<RoleSession> => {
    const session = await deps.sessions.verify(bearerToken(req));
    const decision = authorizeSession(deps.getCatalog(), session, {
      action,
      resource,
      context: { 'aws:SourceIp': req.ip ?? '', 'aws:SecureTransport': req.secure },
      now: now(),
    });
    if (decision.decision !== 'Allow') {
      throw new FedgateError(
        'AccessDenied',
        `${session.principalArn} is not allowed ${action} on ${resource}`,
      );
    }
    return session;
  };

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

function bearerToken(req: Request): string {
  const header = req.get('authorization');
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (match?.[1] === undefined) {
    throw new FedgateError('InvalidToken', 'Authorization: Bearer <session credential> is required');
  }
  return match[1];
}
