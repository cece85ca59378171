import type { Express, Request, Response } from 'express';
import { FedgateError, isFedgateError } from '../errors/index.js';
import { readCredential } from '../sessions/index.js';
import type { StsRequestContext, StsService } from '../sts/index.js';

/** Mounts the STS API (SPEC 4.3): JSON in, JSON out; errors go to the app's problem+json handler. */
export function stsRoutes(sts: StsService): (app: Express) => void {
  return (app) => {
    app.post('/sts/assume-role-with-web-identity', async (req, res) => {
      sendCredentials(res, await sts.assumeRoleWithWebIdentity(req.body, contextOf(req)));
    });
    app.post('/sts/assume-role-with-saml', async (req, res) => {
      sendCredentials(res, await sts.assumeRoleWithSaml(req.body, contextOf(req)));
    });
    app.post('/sts/assume-role', async (req, res) => {
      const body = await withBearer(req, res, (token) => sts.assumeRole(token, req.body, contextOf(req)));
      sendCredentials(res, body);
    });
    app.get('/sts/caller-identity', async (req, res) => {
      const body = await withBearer(req, res, (token) => sts.callerIdentity(token));
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    });
    app.post('/sts/decode-authorization-message', async (req, res) => {
      const body = await withBearer(req, res, (token) =>
        sts.decodeAuthorizationMessage(token, req.body, contextOf(req)),
      );
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    });
    app.post('/sts/revoke', async (req, res) => {
      const body = await withBearer(req, res, (token) => sts.revoke(token, req.body, contextOf(req)));
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    });
  };
}

function contextOf(req: Request): StsRequestContext {
  return { sourceIp: req.ip, requestId: req.id };
}

/** Credentials must never be cached by a proxy or the browser. */
function sendCredentials(res: Response, body: object): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.json(body);
}

/**
 * Runs `use` with the `Authorization: Bearer` session credential. A missing, invalid, expired or revoked one is a
 * 401 with a Bearer challenge (RFC 6750), as every other fedgate endpoint answers.
 */
async function withBearer<T>(req: Request, res: Response, use: (token: string) => Promise<T>): Promise<T> {
  const reading = readCredential({ authorization: req.headers.authorization }, { cookie: false });
  if (reading.status !== 'present') {
    res.setHeader(
      'WWW-Authenticate',
      reading.status === 'absent' ? 'Bearer' : 'Bearer error="invalid_request"',
    );
    throw new FedgateError('InvalidToken', 'An Authorization: Bearer session credential is required');
  }
  try {
    return await use(reading.credential.token);
  } catch (error) {
    if (isFedgateError(error) && error.status === 401) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    }
    throw error;
  }
}
