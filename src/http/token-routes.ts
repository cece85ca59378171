import type { Express, Request, Response } from 'express';
import { OAUTH_PATHS } from '../catalog/names.js';
import {
  isOAuthError,
  type TokenExchangeService,
  type TokenManagementService,
  type TokenRequestContext,
} from '../token-exchange/index.js';
import type { TokenEndpointInput } from '../token-exchange/index.js';
import {
  CLI_CLIENT_ID,
  DEVICE_CODE_GRANT_TYPE,
  REFRESH_TOKEN_GRANT_TYPE,
  type DeviceAuthorizationService,
} from '../device-authorization/index.js';

/** Optional per-address gate (SPEC 8: token endpoints are rate-limited); resolves false to refuse. */
export type TokenRequestGate = (sourceIp: string) => Promise<boolean>;

/** Options of tokenRoutes. */
export interface TokenRoutesOptions {
  readonly rateLimit?: TokenRequestGate;
  /** Unexpected failures (answered `server_error`), for the process log; never called for refusals. */
  readonly onError?: (error: unknown, requestId: string) => void;
  /** RFC 7009 revocation and RFC 7662 introspection; not mounted without it. */
  readonly management?: TokenManagementService;
  /** RFC 8628 device authorization for `fedgate login` (and its refresh grant); not mounted without it. */
  readonly device?: DeviceAuthorizationService;
}

/** What one OAuth endpoint does with a form request: the JSON to answer 200 with, or an OAuthError. */
type FormEndpoint = (input: TokenEndpointInput, context: TokenRequestContext) => Promise<object | undefined>;

/**
 * Mounts the OAuth endpoints (SPEC 4.4): `POST /oauth2/token` (RFC 8693 token exchange; the RFC 8628 device code
 * and RFC 6749 refresh grants of `fedgate login`), `POST /oauth2/device_authorization` (RFC 8628),
 * `POST /oauth2/revoke` (RFC 7009) and `POST /oauth2/introspect` (RFC 7662). Form-encoded requests in, RFC 6749 JSON out (never problem+json), always
 * `Cache-Control: no-store`. A 401 carries `WWW-Authenticate: Basic realm="fedgate"`.
 */
export function tokenRoutes(
  service: TokenExchangeService,
  options: TokenRoutesOptions = {},
): (app: Express) => void {
  return (app) => {
    const device = options.device;
    formEndpoint(app, OAUTH_PATHS.token, options, (input, context) => {
      const grant = input.body['grant_type'];
      if (device !== undefined && (grant === DEVICE_CODE_GRANT_TYPE || grant === REFRESH_TOKEN_GRANT_TYPE))
        return device.token(input, context);
      return service.exchange(input, context);
    });
    if (device !== undefined)
      formEndpoint(app, OAUTH_PATHS.deviceAuthorization, options, (input, context) =>
        device.authorize(input, context),
      );
    const management = options.management;
    if (management !== undefined) {
      // RFC 7009 §2.2: success is a 200 with an empty body. The public client fedgate-cli revokes its sign-in.
      formEndpoint(app, OAUTH_PATHS.revocation, options, async (input, context) => {
        if (
          device !== undefined &&
          input.authorization === undefined &&
          input.body['client_id'] === CLI_CLIENT_ID
        )
          await device.revoke(input, context);
        else await management.revoke(input, context);
        return undefined;
      });
      formEndpoint(app, OAUTH_PATHS.introspection, options, (input, context) =>
        management.introspect(input, context),
      );
    }
  };
}

function formEndpoint(app: Express, path: string, options: TokenRoutesOptions, handle: FormEndpoint): void {
  app.post(path, async (req: Request, res: Response) => {
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
      const answer = await handle(
        { body, authorization: req.headers.authorization },
        { sourceIp, requestId: req.id },
      );
      if (answer === undefined) res.status(200).end();
      else res.status(200).json(answer);
    } catch (error) {
      if (!isOAuthError(error)) {
        options.onError?.(error, req.id);
        sendError(res, 500, 'server_error', 'The token service failed.');
        return;
      }
      // RFC 9110 §15.5.2: every 401 names the scheme; Basic is how a client would retry (RFC 6749 §5.2).
      if (error.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="fedgate"');
      if (error.status === 503) res.setHeader('Retry-After', '1');
      sendError(res, error.status, error.error, error.detail);
    }
  });
  app.all(path, (_req: Request, res: Response) => {
    noStore(res);
    res.setHeader('Allow', 'POST');
    sendError(res, 405, 'invalid_request', 'Use POST.');
  });
}

function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

function sendError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}
