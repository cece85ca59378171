import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { FedgateError } from '../errors/index.js';
import type { StoreOptions } from '../store/index.js';
import {
  closeDedicatedRedisClient,
  openDedicatedRedisClient,
  type RedisClient,
} from '../store/redis-client-access.js';

/** One budget: `points` requests per `duration` seconds per client address. */
export interface RateLimitBudget {
  readonly points: number;
  readonly duration: number;
}

/** The `rateLimits` section of the configuration. */
export interface RateLimitsConfig {
  readonly login: RateLimitBudget;
  readonly sts: RateLimitBudget;
  readonly token: RateLimitBudget;
}

/** The rate-limiting middlewares of the three throttled surfaces, and the connection they share. */
export interface RateLimits {
  /**
   * Completed browser logins (SAML ACS, OIDC callback): one point per sign-in round trip. 429
   * `TooManyRequests` (an HTML page for browsers).
   */
  readonly login: RequestHandler;
  /**
   * The starts of browser logins (`/login…`), which are hops of the same round trip: a budget of their own,
   * `loginStartFactor` times the login budget, so signing in and out repeatedly is counted once per sign-in
   * while a flood of starts (each writes a short-lived state record) is still cut off.
   */
  readonly loginStart: RequestHandler;
  /** The STS API: 429 problem+json `TooManyRequests`. */
  readonly sts: RequestHandler;
  /**
   * The OAuth token endpoint: 429 with an RFC 6749-shaped body `{"error":"too_many_requests",
   * "error_description":…}` so OAuth clients parse it like any other token error (RFC 6749 has no
   * registered code for throttling; `slow_down` belongs to the device flow and means something else).
   */
  readonly token: RequestHandler;
  /** Closes the dedicated Redis connection, if any. */
  close(): Promise<void>;
}

/**
 * Builds per-client-address limiters. With the memory store each instance counts alone; with Redis the
 * budget is shared by every instance through a dedicated connection (no offline queue), and a memory
 * limiter insures it: while Redis is unreachable each instance enforces the same budget on its own, so an
 * outage neither lifts the limits nor fails the requests. An address over budget is then answered from
 * memory until its window ends, sparing Redis under a flood.
 */
export function createRateLimits(
  config: RateLimitsConfig,
  store: StoreOptions,
  /** Counts each 429 by limit (`fedgate_rate_limit_rejections_total`). */
  onRejected: (limit: 'login' | 'login_start' | 'sts' | 'token') => void = () => undefined,
): RateLimits {
  for (const name of ['login', 'sts', 'token'] as const) checkBudget(name, config[name]);
  const prefix = `${store.keyPrefix ?? ''}ratelimit:`;
  const client: RedisClient | undefined =
    store.kind === 'redis' ? openDedicatedRedisClient(redisOptionsOf(store)) : undefined;

  const counted =
    (limit: 'login' | 'login_start' | 'sts' | 'token', answer: Answer): Answer =>
    (req, res, next, retryAfter) => {
      onRejected(limit);
      answer(req, res, next, retryAfter);
    };
  const limiterFor = (name: keyof RateLimitsConfig, factor = 1, suffix = ''): RateLimiterAbstract => {
    const points = config[name].points * factor;
    // Redis expiries are whole seconds; a fractional window is rounded up rather than refused.
    const duration = Math.ceil(config[name].duration);
    const keyPrefix = `${prefix}${name}${suffix}`;
    const memory = new RateLimiterMemory({ points, duration, keyPrefix });
    if (client === undefined) return memory;
    return new RateLimiterRedis({
      storeClient: client,
      points,
      duration,
      keyPrefix,
      // Not ready → straight to the insurance limiter instead of a failed command per request.
      rejectIfRedisNotReady: true,
      inMemoryBlockOnConsumed: points + 1,
      insuranceLimiter: memory,
    });
  };

  return {
    login: middleware(limiterFor('login'), counted('login', problemAnswer)),
    loginStart: middleware(
      limiterFor('login', LOGIN_START_FACTOR, '-start'),
      counted('login_start', problemAnswer),
    ),
    sts: middleware(limiterFor('sts'), counted('sts', problemAnswer)),
    token: middleware(limiterFor('token'), counted('token', oauthAnswer)),
    async close() {
      if (client !== undefined) await closeDedicatedRedisClient(client);
    },
  };
}

/** How many login starts (`/login`, `/login/:idp`) one completed login's point allows. */
export const LOGIN_START_FACTOR = 5;

/**
 * Mounts the limiters in front of the routes they guard; call it before the routes' own mounts. Login:
 * `POST /saml/:idp/acs` and `GET /oidc/:idp/callback` (one point per sign-in), `/login…` (its own, larger budget); STS: `/sts/…`, the Query API at `/` and Roles Anywhere's `POST /sessions`;
 * token: `/oauth2/…` (token, device authorization, revocation, introspection) and the device verification
 * page's answers (`POST /device`).
 */
export function rateLimitMount(limits: RateLimits): (app: Express) => void {
  return (app) => {
    app.use('/login', limits.loginStart);
    app.post('/saml/:idp/acs', limits.login);
    app.get('/oidc/:idp/callback', limits.login);
    app.use('/sts', limits.sts);
    app.post('/sessions', limits.sts);
    // The STS Query API also answers at `/` (AWS's endpoint URL); the portal's GET / is not limited.
    app.post('/', limits.sts);
    app.get('/', (req, res, next) => {
      if (typeof req.query['Action'] === 'string') limits.sts(req, res, next);
      else next();
    });
    app.use('/oauth2', limits.token);
    // The device flow's verification page answers user codes: guessing them costs token-endpoint budget.
    app.post('/device', limits.token);
  };
}

type Answer = (req: Request, res: Response, next: NextFunction, retryAfterSeconds: number) => void;

function middleware(limiter: RateLimiterAbstract, answer: Answer): RequestHandler {
  return (req, res, next) => {
    limiter.consume(clientKey(req)).then(
      () => next(),
      (rejection: unknown) => {
        if (rejection instanceof RateLimiterRes) {
          const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          res.setHeader('Retry-After', String(retryAfter));
          answer(req, res, next, retryAfter);
          return;
        }
        // Only reachable when even the memory limiter failed: a limit that cannot be checked does not pass.
        next(
          new FedgateError('ServiceUnavailable', 'The service is temporarily unavailable.', {
            internal: 'rate limiter failed',
          }),
        );
      },
    );
  };
}

function problemAnswer(_req: Request, _res: Response, next: NextFunction, retryAfter: number): void {
  next(
    new FedgateError(
      'TooManyRequests',
      `Too many requests from this address; retry after ${retryAfter} seconds.`,
    ),
  );
}

function oauthAnswer(_req: Request, res: Response, _next: NextFunction, retryAfter: number): void {
  res
    .status(429)
    .set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
    .json({
      error: 'too_many_requests',
      error_description: `Too many requests from this address; retry after ${retryAfter} seconds.`,
    });
}

/**
 * The address a budget belongs to: `req.ip` (X-Forwarded-For is believed only from `trustProxies`),
 * IPv4-mapped IPv6 folded to IPv4, and IPv6 reduced to its /64, since one host usually owns a whole /64
 * and could otherwise take a fresh budget per address.
 */
export function clientKey(req: Request): string {
  const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!address.includes(':')) return address;
  return ipv6Prefix64(address) ?? address;
}

/** `2001:db8:1:2::/64` for any address in that /64; undefined when the text is not an IPv6 address. */
function ipv6Prefix64(address: string): string | undefined {
  const bare = address.split('%')[0] ?? '';
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (text: string | undefined): string[] =>
    text === undefined || text === '' ? [] : text.split(':');
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  // Only the first four groups matter, and an embedded IPv4 tail can only sit in the last two.
  const missing = 8 - head.length - tail.length - (tail.at(-1)?.includes('.') === true ? 1 : 0);
  const groups =
    halves.length === 2 ? [...head, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tail] : head;
  const prefix = groups.slice(0, 4);
  if (prefix.length < 4 || !prefix.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return `${prefix.map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

function redisOptionsOf(store: StoreOptions & { kind: 'redis' }): Omit<typeof store, 'kind'> {
  const { kind: _kind, ...options } = store;
  return options;
}

function checkBudget(name: string, budget: RateLimitBudget | undefined): void {
  if (budget === undefined || !Number.isSafeInteger(budget.points) || budget.points < 1)
    throw new TypeError(`rateLimits.${name}.points must be a positive integer`);
  if (!Number.isFinite(budget.duration) || budget.duration <= 0)
    throw new TypeError(`rateLimits.${name}.duration must be a positive number of seconds`);
}
