import type { IncomingMessage } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { FedgateError } from '../errors/index.js';
import { problemFor, toFedgateError } from './problem.js';
import { FORM_PARAMETER_LIMIT } from './form-fields.js';
import { keepRawBody } from './raw-body.js';
import { requestIdFrom } from './request-id.js';
import { checkReadiness, type ReadinessCheck } from './readiness.js';

/**
 * A function that adds one domain's routes to the app. `rawFormPaths` and `rawJsonPaths`: POST routes whose form
 * or JSON body the route reads itself (`req.body` stays the body's Buffer, see splitForm and samlJsonInput),
 * because it is decoded off the event loop.
 */
export type RouteMount = ((app: Express) => void) & {
  readonly rawFormPaths?: readonly string[];
  readonly rawJsonPaths?: readonly string[];
};

/** The media types the app reads as JSON. */
const JSON_TYPES = ['application/json', 'application/*+json'];

/** What the Express app needs from the composition root. */
export interface HttpAppOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  /** CIDRs whose X-Forwarded-* headers are believed. */
  readonly trustProxies: readonly string[];
  /** Domain routes, mounted in order after the operational endpoints. */
  readonly mounts: readonly RouteMount[];
  /** JSON body limit; forms (SAML responses) get `formLimit`. */
  readonly jsonLimit?: string;
  readonly formLimit?: string;
  /** False when served over plain HTTP (loopback demo): no HSTS and no upgrade-insecure-requests then. */
  readonly https?: boolean;
  /**
   * The HTML page a browser gets instead of problem+json for a 404, 429 or 5xx (the portal's style); API
   * clients, which do not prefer text/html, keep problem+json.
   */
  readonly browserErrorPage?: (error: FedgateError) => string;
  /**
   * Renderers tried before problem+json: a protocol with its own error format (the STS Query API's XML)
   * answers here and returns true.
   */
  readonly errorRenderers?: readonly ((req: Request, res: Response, error: FedgateError) => boolean)[];
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id, also sent back as X-Request-Id. */
    id: string;
  }
}

/** Builds the gateway's Express app: security headers, request ids, logs, metrics, problem+json errors. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxies.length > 0 ? [...options.trustProxies] : false);
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    req.id = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const group = routeGroup(req.path);
      options.metrics.httpRequests.inc({ group, method: req.method, code: String(res.statusCode) });
      options.metrics.httpDuration.observe(
        { group, code_class: `${Math.floor(res.statusCode / 100)}xx` },
        seconds,
      );
      // Only the path: query strings carry codes, states and tokens.
      options.logger.info(
        {
          requestId: req.id,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          // Microsecond digits of a millisecond figure are noise in a log line.
          ms: Math.round(seconds * 100_000) / 100,
        },
        'request',
      );
    });
    next();
  });

  const https = options.https ?? true;
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // Forms redirect on to IdPs and return_to hosts.
          'form-action': ["'self'", 'http:', 'https:'],
          'script-src': ["'self'"],
          // The portal's configured logo may live on another https: origin (portal.logoUrl).
          'img-src': ["'self'", 'data:', 'https:'],
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      strictTransportSecurity: https,
    }),
  );

  // Browsers ask for a site icon on their own; the portal's pages name theirs, so this is a quiet empty answer.
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).setHeader('Cache-Control', 'public, max-age=86400').end();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const result = await checkReadiness(options.readiness);
    res
      .status(result.ready ? 200 : 503)
      .json({ status: result.ready ? 'ready' : 'not-ready', checks: result.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', options.metrics.registry.contentType);
    res.send(await options.metrics.registry.metrics());
  });

  const jsonLimit = options.jsonLimit ?? '64kb';
  const rawJsonPaths = options.mounts.flatMap((mount) => mount.rawJsonPaths ?? []);
  // Read to a Buffer here; the JSON parser below then finds the body already read.
  if (rawJsonPaths.length > 0) app.post(rawJsonPaths, express.raw({ type: JSON_TYPES, limit: jsonLimit }));
  app.use(
    express.json({
      limit: jsonLimit,
      type: JSON_TYPES,
      // Signed requests (IAM Roles Anywhere's CreateSession) hash the body exactly as sent.
      verify: (req, _res, buffer) => {
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
      },
    }),
  );
  const formLimit = options.formLimit ?? '512kb';
  const rawFormPaths = options.mounts.flatMap((mount) => mount.rawFormPaths ?? []);
  if (rawFormPaths.length > 0) {
    // Read to a Buffer here; the urlencoded parser below then finds the body already read.
    app.post(
      rawFormPaths,
      express.raw({ type: 'application/x-www-form-urlencoded', limit: formLimit, verify: keepRawBody }),
    );
  }
  app.use(
    express.urlencoded({
      extended: false,
      limit: formLimit,
      parameterLimit: FORM_PARAMETER_LIMIT,
      verify: keepRawBody,
    }),
  );

  for (const mount of options.mounts) mount(app);

  app.use(() => {
    throw new FedgateError('NotFound', 'No such endpoint');
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = toFedgateError(error);
    if (known.status >= 500) {
      options.logger.error(
        { requestId: req.id, code: known.code, err: describeError(error) },
        'request failed',
      );
    } else if (known.internal !== undefined) {
      options.logger.info(
        { requestId: req.id, code: known.code, internal: known.internal },
        'request refused',
      );
    }
    if (res.headersSent) return;
    for (const render of options.errorRenderers ?? []) if (render(req, res, known)) return;
    if (options.browserErrorPage !== undefined && showsBrowserPage(known.status) && prefersHtml(req)) {
      res.status(known.status).setHeader('Cache-Control', 'no-store');
      res.type('html').send(options.browserErrorPage(known));
      return;
    }
    res
      .status(known.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemFor(known, req.id)));
  });

  return app;
}

function showsBrowserPage(status: number): boolean {
  return status === 404 || status === 429 || status >= 500;
}

/** A browser navigating (Accept puts text/html before JSON); curl's and SDKs' `*\/*` or JSON do not. */
function prefersHtml(req: Request): boolean {
  return req.accepts(['application/json', 'application/problem+json', 'text/html']) === 'text/html';
}

function routeGroup(path: string): string {
  const first = path.split('/')[1] ?? '';
  return [
    'sts',
    'oauth2',
    'portal',
    'login',
    'saml',
    'oidc',
    'authz',
    '.well-known',
    'sessions',
    'policy',
  ].includes(first)
    ? first
    : first === ''
      ? 'root'
      : 'other';
}

/** Error class and message for logs; never the request body. */
function describeError(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { name: 'unknown', message: String(error) };
}
