import type { Express, Request, Response } from 'express';
import { isOAuthError, type TokenExchangeService } from '../token-exchange/index.js';

/** Optional per-address gate (SPEC 8: token endpoints are rate-limited); resolves false to refuse. */
export type TokenRequestGate = (sourceIp: string) => Promise<boolean>;

/** Options of tokenRoutes. */
export interface TokenRoutesOptions {
  readonly rateLimit?: TokenRequestGate;
  /** Unexpected failures (answered `server_error`), for the process log; never called for refusals. */
  readonly onError?: (error: unknown, requestId: string) => void;
}

const TOKEN_PATH = '/oauth2/token';

/**
 * Mounts `POST /oauth2/token` (SPEC 4.4): form-encoded RFC 8693 requests in, RFC 6749 JSON out (never
 * problem+json), always `Cache-Control: no-store`. A 401 carries `WWW-Authenticate: Basic realm="fedgate"`.
 */
export function tokenRoutes(
  service: TokenExchangeService,
  options: TokenRoutesOptions = {},
): (app: Express) => void {
  return (app) => {
    app.post(TOKEN_PATH, async (req: Request, res: Response) => {
      noStore(res);
      const sourceIp = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      if (options.rateLimit !== undefined && !(await options.rateLimit(sourceIp))) {
        res.setHeader('Retry-After', '1');
        sendError(res, 429, 'temporarily_unavailable', 'Too many requests.');
        return;
      }
      if (!req.is('application/x-www-form-urlencoded')) {
        sendError(res, 400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded.');
        return;
      }
      try {
        const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
          string,
          unknown
        >;
        const response = await service.exchange(
          { body, authorization: req.headers.authorization },
          { sourceIp, requestId: req.id },
        );
        res.status(200).json(response);
      } catch (error) {
        if (!isOAuthError(error)) {
          options.onError?.(error, req.id);
          sendError(res, 500, 'server_error', 'The token service failed.');
          return;
        }
        // RFC 9110 §15.5.2: every 401 names the scheme; Basic is how a client would retry (RFC 6749 §5.2).
        if (error.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="fedgate"');
        sendError(res, error.status, error.error, error.detail);
      }
    });
    app.all(TOKEN_PATH, (_req: Request, res: Response) => {
      noStore(res);
      res.setHeader('Allow', 'POST');
      sendError(res, 405, 'invalid_request', 'Use POST.');
    });
  };
}

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

function sendError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}
