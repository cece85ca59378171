import type { IncomingMessage } from 'node:http';
import type { Express, Request } from 'express';
import type { RolesAnywhereService, SignedHttpRequest } from '../roles-anywhere/index.js';

/**
 * Mounts IAM Roles Anywhere's `POST /sessions` (CreateSession): the signed request goes to the domain as sent
 * (raw path, query, every header value, the body's exact bytes); the answer is AWS's `credentialSet`, 201.
 */
export function rolesAnywhereRoutes(service: RolesAnywhereService): (app: Express) => void {
  return (app) => {
    app.post('/sessions', async (req, res) => {
      const answer = await service.createSession(signedRequestOf(req), {
        sourceIp: req.ip,
        requestId: req.id,
      });
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      res.status(201).json(answer);
    });
  };
}

function signedRequestOf(req: Request): SignedHttpRequest {
  const url = req.originalUrl;
  const mark = url.indexOf('?');
  const raw = (req as IncomingMessage & { rawBody?: Buffer }).rawBody;
  return {
    method: req.method,
    path: mark === -1 ? url : url.slice(0, mark),
    query: mark === -1 ? '' : url.slice(mark + 1),
    header: (name) => req.headersDistinct[name],
    body: raw ?? Buffer.alloc(0),
  };
}
