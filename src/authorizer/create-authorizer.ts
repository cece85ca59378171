import type { IncomingMessage, ServerResponse } from 'node:http';
import { resourceGroup, type ActivityRecorder } from '../access-analysis/index.js';
import type { AuditEvent } from '../audit/index.js';
import type { GatewayConfig } from '../config/index.js';
import { FedgateError, isFedgateError } from '../errors/index.js';
import { requestIdFrom, writeProblem } from '../http/index.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { authorizeSession, type PolicyCatalog } from '../roles/index.js';
import type { SessionService, SigningKeyRing } from '../sessions/index.js';
import type { Store } from '../store/index.js';
import {
  answerAllowed,
  answerBadRequest,
  answerForbidden,
  answerLoginRedirect,
  answerUnauthenticated,
  answerUnavailable,
  type UnauthenticatedReason,
} from './authz-answers.js';
import { handleCheck, isCheckRequest } from './authz-check.js';
import { decisionKey, memoizedDecision } from './decision-memo.js';
import { identityHeaders, type IdentityHeaders } from './identity-headers.js';
import {
  authorizerCallOf,
  readOriginalRequest,
  requestUrl,
  type OriginalRequest,
} from './original-request.js';
import { credentialOf } from './request-credential.js';
import { routeContext } from './route-context.js';
import type { PathRefusal } from './request-path.js';
import { RouteTable, type RouteMatch } from './route-table.js';
import { TrustedProxies } from './trusted-proxies.js';
import { memoizedAssertion, upstreamAssertion } from './upstream-assertion.js';
import { VerifiedSessionCache, type VerifiedSession } from './verified-session-cache.js';

/** What the authorizer needs from the composition root. */
export interface AuthorizerDeps {
  /** The current configuration; a new object after a reload (routes are recompiled on identity change). */
  getConfig(): GatewayConfig;
  /** The current compiled policies. */
  getCatalog(): PolicyCatalog;
  readonly sessions: SessionService;
  readonly keys: SigningKeyRing;
  readonly store: Store;
  readonly audit?: { record(event: AuditEvent): void };
  readonly metrics?: GatewayMetrics;
  /** Where every decision is counted (issue 15); in memory, never waited for. */
  readonly activity?: ActivityRecorder;
  /** Epoch milliseconds; injected by tests. */
  readonly now?: () => number;
}

/** The downstream authorizer: a node:http handler for `/authz`, `/authz/*` and `POST /authz/check`. */
export interface Authorizer {
  /** Handles one request; anything outside `/authz` gets a 404 problem. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Stops listening to revocations and the store connection. */
  close(): void;
}

/** Answers per outcome, for the metrics label. */
type Outcome =
  | 'allow'
  | 'explicit_deny'
  | 'implicit_deny'
  | 'unauthenticated'
  | 'no_route'
  | 'bad_request'
  | 'unavailable'
  | 'error';

interface CompiledConfig {
  readonly config: GatewayConfig;
  readonly routes: RouteTable;
  readonly proxies: TrustedProxies;
}

const IDENTITY_MEMO = 'identity-headers';

/** Builds the authorizer (SPEC 4.5). Decisions come from the shared `authorizeSession`, never a second evaluator. */
export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
  const now = deps.now ?? Date.now;
  const initial = deps.getConfig();
  let compiled = compile(initial);
  let seenConfig = initial;
  const cache = new VerifiedSessionCache({
    sessions: deps.sessions,
    store: deps.store,
    maxEntries: initial.authorizer.cacheMaxEntries,
    ttlMs: initial.authorizer.cacheTtl * 1000,
    now,
  });

  function current(): CompiledConfig {
    const config = deps.getConfig();
    if (config === seenConfig) return compiled;
    seenConfig = config;
    try {
      compiled = compile(config);
    } catch {
      // The loader validated this configuration; if routes still fail to compile, the last good ones stay.
      return compiled;
    }
    cache.configure(config.authorizer.cacheMaxEntries, config.authorizer.cacheTtl * 1000);
    return compiled;
  }

  function observe(outcome: Outcome, started: bigint | undefined): void {
    const metrics = deps.metrics;
    if (metrics === undefined || started === undefined) return;
    metrics.authzDecisions.inc({ outcome });
    metrics.authzDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  function audit(event: Omit<AuditEvent, 'event' | 'outcome'>): void {
    deps.audit?.record({ event: 'authz.denied', outcome: 'denied', ...event });
  }

  async function forwardAuth(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const started = deps.metrics === undefined ? undefined : process.hrtime.bigint();
    const state = current();
    const call = authorizerCallOf(req);
    const read = readOriginalRequest(call, state.proxies);
    if (!read.ok) {
      audit({
        reason: read.reason,
        requestId,
        ...(call.peer === undefined ? {} : { sourceIp: call.peer }),
        details: { headers: read.headers },
      });
      answerBadRequest(
        res,
        'AmbiguousForwardedRequest',
        'The request carries the forwarding headers of more than one proxy family.',
        requestId,
      );
      observe('bad_request', started);
      return;
    }
    const request = read.request;
    const routed = state.routes.route(request.host, request.method, request.path);
    const match = routed.ok ? routed.match : undefined;
    const details = (): Record<string, string> => ({
      method: request.method,
      host: request.host,
      path: request.path,
      ...(match === undefined ? {} : { action: match.route.action, resource: match.resource }),
    });

    if (!routed.ok && routed.reason === 'UnsafeRequestPath') {
      audit({
        reason: 'UnsafeRequestPath',
        requestId,
        ...sourceIp(request),
        details: { ...details(), pathRefusal: routed.pathRefusal },
      });
      answerBadRequest(res, 'UnsafeRequestPath', pathRefusalDetail(routed.pathRefusal), requestId);
      observe('bad_request', started);
      return;
    }
    if (match === undefined) {
      audit({ reason: 'NoMatchingRoute', requestId, ...sourceIp(request), details: details() });
      answerForbidden(res, 'NoMatchingRoute', requestId);
      observe('no_route', started);
      return;
    }
    if (!cache.available()) {
      answerUnavailable(res, requestId);
      observe('unavailable', started);
      return;
    }

    const unauthenticated = (reason: UnauthenticatedReason, code: string): void => {
      const id = requestId;
      if (reason === 'invalid')
        audit({ reason: code, requestId: id, ...sourceIp(request), details: details() });
      const location = loginRedirect(req, state.config, request, match);
      if (location === undefined) answerUnauthenticated(res, reason, id);
      // nginx's auth_request turns any 3xx into a 500: it gets a 401 and the URL to redirect to.
      else if (request.style === 'original')
        answerUnauthenticated(res, reason, id, { 'x-fedgate-redirect': location });
      else answerLoginRedirect(res, location, id);
      observe('unauthenticated', started);
    };

    const token = credentialOf(req.headers);
    if (token === undefined) return unauthenticated('missing', 'MissingToken');
    if (token.length === 0) return unauthenticated('invalid', 'InvalidToken');
    let verified: VerifiedSession;
    try {
      verified = cache.peek(token) ?? (await cache.resolve(token));
    } catch (error) {
      if (isFedgateError(error) && (error.code === 'InvalidToken' || error.code === 'ExpiredToken'))
        return unauthenticated('invalid', error.code);
      if (isFedgateError(error) && error.code === 'StoreUnavailable') {
        answerUnavailable(res, requestId);
        observe('unavailable', started);
        return;
      }
      throw error;
    }

    const { session } = verified;
    const at = now();
    const catalog = deps.getCatalog();
    const action = match.route.action;
    const decision = memoizedDecision(
      verified.memo,
      catalog,
      at,
      decisionKey(action, match.resource, request),
      () =>
        authorizeSession(catalog, session, {
          action,
          resource: match.resource,
          context: routeContext(request, match),
          now: at,
        }),
    );
    deps.activity?.recordDecision(
      session.roleName,
      action,
      resourceGroup(match.route.resource, match.params),
      decision.decision === 'Allow',
      at,
    );
    if (decision.decision === 'Allow') {
      let identity = verified.memo.get(IDENTITY_MEMO) as IdentityHeaders | undefined;
      if (identity === undefined) {
        identity = identityHeaders(session);
        verified.memo.set(IDENTITY_MEMO, identity);
      }
      const assertion =
        memoizedAssertion(verified.memo, match.hostname, at) ??
        (await upstreamAssertion({
          keys: deps.keys,
          issuer: state.config.publicUrl,
          session,
          audience: match.hostname,
          nowMs: at,
          memo: verified.memo,
        }));
      answerAllowed(res, identity, assertion, requestId);
      observe('allow', started);
      return;
    }
    const id = requestId;
    audit({
      reason: decision.decision,
      requestId: id,
      principal: session.principalArn,
      role: session.roleArn,
      session: session.id,
      provider: session.provider,
      subject: session.subject,
      ...sourceIp(request),
      details: details(),
    });
    answerForbidden(res, decision.decision, id);
    observe(decision.decision === 'ExplicitDeny' ? 'explicit_deny' : 'implicit_deny', started);
  }

  function fail(res: ServerResponse, error: unknown, requestId: string): void {
    deps.metrics?.authzDecisions.inc({ outcome: 'error' });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Anything unexpected is an opaque 500: never a 200 for a request we could not decide.
    writeProblem(
      res,
      isFedgateError(error) ? error : new FedgateError('InternalError', 'Internal error'),
      requestId,
    );
  }

  const checkDeps = {
    cache,
    getCatalog: () => deps.getCatalog(),
    getConfig: () => current().config,
    now,
    ...(deps.activity === undefined ? {} : { activity: deps.activity }),
  };

  return {
    handle(req, res) {
      const url = requestUrl(req);
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      // An incoming request id is honoured only from a trusted proxy; anyone else's is replaced.
      const requestId = requestIdFrom(
        current().proxies.trusts(req.socket.remoteAddress) ? req.headers['x-request-id'] : undefined,
      );
      if (isCheckRequest(req, path)) {
        const proxies = current().proxies;
        const forwardedFor = req.headers['x-forwarded-for'];
        const call = {
          requestId,
          sourceIp: proxies.clientAddress(
            req.socket.remoteAddress,
            Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor,
          ),
          secure: 'encrypted' in req.socket,
        };
        handleCheck(req, res, checkDeps, call).catch((error: unknown) => fail(res, error, requestId));
        return;
      }
      if (path === '/authz' || path.startsWith('/authz/')) {
        forwardAuth(req, res, requestId).catch((error: unknown) => fail(res, error, requestId));
        return;
      }
      writeProblem(res, new FedgateError('NotFound', 'Not found'), requestId);
    },
    close() {
      cache.close();
    },
  };
}

function compile(config: GatewayConfig): CompiledConfig {
  return { config, routes: new RouteTable(config.routes), proxies: new TrustedProxies(config.trustProxies) };
}

function pathRefusalDetail(reason: PathRefusal): string {
  switch (reason) {
    case 'DotSegment':
      return 'The request path has a . or .. segment.';
    case 'EncodedSeparator':
      return 'The request path has an encoded slash or a backslash.';
    case 'SemicolonParameter':
      return 'The request path has a ; parameter.';
    case 'TrailingDotOrSpace':
      return 'A request path segment ends in a dot or a space.';
    case 'DoubleEncoding':
      return 'The request path is percent-encoded twice (%25).';
    case 'ControlCharacter':
      return 'The request path has a control character.';
    case 'NonNormalizedText':
      return 'The request path has text that is not in Unicode NFC/NFKC form.';
    case 'TooManySegments':
      return 'The request path has too many segments.';
    default:
      return 'The request path is malformed.';
  }
}

function sourceIp(request: OriginalRequest): { sourceIp?: string } {
  return request.sourceIp === undefined ? {} : { sourceIp: request.sourceIp };
}

/** The login URL for a browser on a redirect route, else undefined (API clients get the 401). */
function loginRedirect(
  req: IncomingMessage,
  config: GatewayConfig,
  request: OriginalRequest,
  match: RouteMatch,
): string | undefined {
  if (match.route.onUnauthenticated !== 'redirect') return undefined;
  const accept = req.headers.accept;
  if (accept === undefined || !/\btext\/html\b/i.test(accept)) return undefined;
  return `${config.publicUrl}/login?return_to=${encodeURIComponent(request.url)}`;
}
