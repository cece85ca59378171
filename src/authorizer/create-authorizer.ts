import { resourceGroup, type ActivityRecorder } from '../access-analysis/index.js';
import type { GatewayConfig } from '../config/index.js';
import { isFedgateError } from '../errors/index.js';
import { authorizeSession, type PolicyCatalog } from '../roles/index.js';
import {
  readCredential,
  SignedRequestVerifier,
  type RoleSession,
  type SessionService,
  type SignedCredentialResult,
  type SignedRequestCredential,
  type SigningKeyRing,
} from '../sessions/index.js';
import type { SignableRequest } from '../sigv4/index.js';
import type { Store } from '../store/index.js';
import { checkAccess, type CheckCall, type CheckOutcome } from './authz-check.js';
import { decisionKey, memoizedDecision } from './decision-memo.js';
import { explainDenial } from './denial-explanation.js';
import {
  isAutomaticBrowserRequest,
  type ForwardAuthResult,
  type ForwardAuthSubject,
  type LoginRedirect,
  type SignatureRefusalReason,
} from './forward-auth-result.js';
import { identityHeaders, type IdentityHeaders } from './identity-headers.js';
import { readOriginalRequest, type AuthorizerCall, type OriginalRequest } from './original-request.js';
import { routeContext } from './route-context.js';
import {
  pathCanonicalisationOf,
  payloadDeclaration,
  signableOriginalRequest,
} from './signed-original-request.js';
import type { AuthorizerRouting } from './authorizer-routing.js';
import type { RouteMatch } from './route-table.js';
import { memoizedAssertion, upstreamAssertion } from './upstream-assertion.js';
import {
  VerifiedSessionCache,
  type CredentialCacheStats,
  type VerifiedSession,
} from './verified-session-cache.js';

/** What the authorizer needs from the composition root. */
export interface AuthorizerDeps {
  /** The compiled configuration in force (from the gateway state); a new object after a reload. */
  routing(): AuthorizerRouting;
  /** The current compiled policies. */
  getCatalog(): PolicyCatalog;
  readonly sessions: SessionService;
  readonly keys: SigningKeyRing;
  readonly store: Store;
  /** Where every decision is counted (issue 15); in memory, never waited for. */
  readonly activity?: ActivityRecorder;
  /** Epoch milliseconds; injected by tests. */
  readonly now?: () => number;
}

/**
 * The downstream authorizer (SPEC 4.5): decides, never renders. `http/` parses the proxy's request into an
 * AuthorizerCall, asks `authorize`, and answers, audits and counts the ForwardAuthResult.
 */
export interface Authorizer {
  /** True when the peer is a trusted proxy (its X-Request-Id and forwarding headers are believed). */
  trusts(peer: string | undefined): boolean;
  /** The client address of a call: the peer, or what trusted proxies report in X-Forwarded-For. */
  clientAddress(peer: string | undefined, forwardedFor: string | undefined): string | undefined;
  /** The decision about the request a proxy asks about: synchronous when nothing had to be waited for. */
  authorize(call: AuthorizerCall): ForwardAuthResult | Promise<ForwardAuthResult>;
  /** `POST /authz/check` on a parsed JSON body. */
  check(body: unknown, call: CheckCall): Promise<CheckOutcome>;
  /** The hot path's caches, for `/metrics`: read at scrape time, never counted per request elsewhere. */
  stats(): AuthorizerStats;
  /** Stops listening to revocations and the store connection. */
  close(): void;
}

/** What the authorizer's caches did since the process started. */
export interface AuthorizerStats {
  /** The cache of verified credentials, and how many it holds now. */
  readonly credentials: CredentialCacheStats & { readonly entries: number };
  /** The per-session memo of decisions within one second (decision-memo.ts). */
  readonly decisions: { readonly hits: number; readonly misses: number };
}

const IDENTITY_MEMO = 'identity-headers';

/** Builds the authorizer. Decisions come from the shared `authorizeSession`, never a second evaluator. */
export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
  const now = deps.now ?? Date.now;
  const initial = deps.routing();
  let seen = initial;
  const cache = new VerifiedSessionCache({
    sessions: deps.sessions,
    store: deps.store,
    maxEntries: initial.config.authorizer.cacheMaxEntries,
    ttlMs: initial.config.authorizer.cacheTtl * 1000,
    now,
  });
  // Requests signed with a fedgate credential: the session token resolves through the same verified-session
  // cache as a bearer token (revocations, fail-closed store); derived signing keys are cached per key and scope.
  const signatures = new SignedRequestVerifier<VerifiedSession>({
    verifyToken: (token) => cache.peek(token) ?? cache.load(token),
    secretOf: (session) => deps.sessions.secretAccessKeyOf(session),
    now,
    allow: () => current().scopes,
    skewSeconds: initial.config.sigv4.clockSkew,
  });

  const decisionStats = { hits: 0, misses: 0 };

  function current(): AuthorizerRouting {
    const routing = deps.routing();
    if (routing === seen) return routing;
    // A reload: the credential cache takes the new configuration's limits.
    seen = routing;
    const { cacheMaxEntries, cacheTtl } = routing.config.authorizer;
    cache.configure(cacheMaxEntries, cacheTtl * 1000);
    return routing;
  }

  /**
   * The decision about one forward-auth call. Synchronous when nothing needs waiting for (a cached session, a
   * memoized assertion: the hot path), so the answer is written in the same tick; a promise otherwise.
   */
  function authorize(call: AuthorizerCall): ForwardAuthResult | Promise<ForwardAuthResult> {
    const state = current();
    const read = readOriginalRequest(call, state.proxies);
    if (!read.ok) {
      return {
        reason: 'AmbiguousForwardedRequest',
        about: {
          ...(call.peer === undefined ? {} : { sourceIp: call.peer }),
          details: { headers: read.headers },
        },
      };
    }
    const request = read.request;
    const routed = state.routes.route(request.host, request.method, request.path);
    if (!routed.ok) {
      const about = requestSubject(request, undefined);
      return routed.reason === 'UnsafeRequestPath'
        ? {
            reason: 'UnsafeRequestPath',
            pathRefusal: routed.pathRefusal,
            about: { ...about, details: { ...about.details, pathRefusal: routed.pathRefusal } },
          }
        : {
            reason: 'NoMatchingRoute',
            about,
            automatic: isAutomaticBrowserRequest(request.method, request.path),
          };
    }
    const match = routed.match;
    if (!cache.available()) return { reason: 'StoreUnavailable', about: {} };

    const unauthenticated = (
      reason: 'MissingCredential' | 'InvalidCredential',
      detail?: string,
    ): ForwardAuthResult => {
      const about = requestSubject(request, match);
      return {
        reason,
        loginRedirect: loginRedirect(call, state.config, request, match),
        about: detail === undefined ? about : { ...about, details: { ...about.details, credential: detail } },
      };
    };

    const refusedSignature = (reason: SignatureRefusalReason, message: string): ForwardAuthResult => {
      const about = requestSubject(request, match);
      return { reason, message, about: { ...about, details: { ...about.details, credential: 'sigv4' } } };
    };

    /** A credential that did not verify: refused (401), or undecidable (503); anything else is a failure. */
    const unverified = (error: unknown): ForwardAuthResult => {
      if (isFedgateError(error) && (error.code === 'InvalidToken' || error.code === 'ExpiredToken'))
        return unauthenticated('InvalidCredential', error.code === 'ExpiredToken' ? 'expired' : 'invalid');
      if (isFedgateError(error) && error.code === 'StoreUnavailable')
        return { reason: 'StoreUnavailable', about: {} };
      throw error;
    };

    const signable = signableOriginalRequest(request, call.headers);
    const reading = readCredential(
      {
        authorization: headerText(call.headers.authorization),
        cookie: headerText(call.headers.cookie),
        signed: signable,
      },
      { cookie: true },
    );
    if (reading.status === 'absent') return unauthenticated('MissingCredential');
    if (reading.status === 'malformed')
      return reading.signature === undefined
        ? unauthenticated('InvalidCredential', 'malformed')
        : refusedSignature(reading.signature.reason, reading.signature.message);
    if (reading.credential.kind === 'sigv4') {
      let signed: SignedOutcome | Promise<SignedOutcome>;
      try {
        signed = verifySigned(reading.credential, signable, call, match);
      } catch (error) {
        return unverified(error);
      }
      const answer = (outcome: SignedOutcome) =>
        outcome.ok
          ? decide(state, request, match, outcome.verified)
          : refusedSignature(outcome.reason, outcome.message);
      return signed instanceof Promise ? signed.then(answer, unverified) : answer(signed);
    }
    const token = reading.credential.token;
    let cached: VerifiedSession | undefined;
    try {
      cached = cache.peek(token);
    } catch (error) {
      return unverified(error);
    }
    return cached !== undefined
      ? decide(state, request, match, cached)
      : cache.load(token).then((verified) => decide(state, request, match, verified), unverified);
  }

  /** The policy decision for a verified session, and for an allowed request what the upstream is sent. */
  function decide(
    state: AuthorizerRouting,
    request: OriginalRequest,
    match: RouteMatch,
    verified: VerifiedSession,
  ): ForwardAuthResult | Promise<ForwardAuthResult> {
    const { session } = verified;
    const at = now();
    const catalog = deps.getCatalog();
    const action = match.route.action;
    let decided = false;
    const decision = memoizedDecision(
      verified.memo,
      catalog,
      at,
      () => decisionKey(action, match.resource, request),
      () => {
        decided = true;
        return authorizeSession(catalog, session, {
          action,
          resource: match.resource,
          context: routeContext(request, match),
          now: at,
        });
      },
    );
    if (decided) decisionStats.misses++;
    else decisionStats.hits++;
    deps.activity?.recordDecision(
      session.roleName,
      action,
      resourceGroup(match.route.resource, match.params),
      decision.decision === 'Allow',
      at,
    );
    if (decision.decision !== 'Allow') {
      const denial = state.config.authorizer.explainDenials
        ? explainDenial(decision, session, { action, resource: match.resource }, state.config.publicUrl)
        : undefined;
      return { reason: decision.decision, about: sessionSubject(session, request, match), denial };
    }

    let identity = verified.memo.get(IDENTITY_MEMO) as IdentityHeaders | undefined;
    if (identity === undefined) {
      identity = identityHeaders(session);
      verified.memo.set(IDENTITY_MEMO, identity);
    }
    const allowed = (assertion: string): ForwardAuthResult =>
      new AllowedResult(identity, assertion, session, request, match);
    const memoized = memoizedAssertion(verified.memo, match.hostname, at);
    if (memoized !== undefined) return allowed(memoized);
    return upstreamAssertion({
      keys: deps.keys,
      issuer: state.config.publicUrl,
      session,
      audience: match.hostname,
      nowMs: at,
      memo: verified.memo,
    }).then(allowed);
  }

  /**
   * Verifies a SigV4 signature over the original request exactly as the proxy reported it, and over the payload
   * hash it declares as the route accepts it; synchronously for a cached session. Throws (or rejects with)
   * StoreUnavailable when the session cannot be checked.
   */
  function verifySigned(
    credential: SignedRequestCredential,
    signable: SignableRequest,
    call: AuthorizerCall,
    match: RouteMatch,
  ): SignedOutcome | Promise<SignedOutcome> {
    const params = credential.signature;
    const declared = payloadDeclaration(
      params,
      call.headers['x-amz-content-sha256'],
      match.route.sigv4Payload ?? 'any',
    );
    if (!declared.ok) return declared;
    const result = signatures.verifyParsedNow(
      signable,
      params,
      declared.payload,
      pathCanonicalisationOf(params),
    );
    return result instanceof Promise ? result.then(signedOutcome) : signedOutcome(result);
  }

  const checkDeps = {
    cache,
    getCatalog: () => deps.getCatalog(),
    getConfig: () => current().config,
    now,
    ...(deps.activity === undefined ? {} : { activity: deps.activity }),
  };

  return {
    trusts: (peer) => current().proxies.trusts(peer),
    clientAddress: (peer, forwardedFor) => current().proxies.clientAddress(peer, forwardedFor),
    authorize,
    check: (body, call) => checkAccess(body, call, checkDeps),
    stats: () => ({ credentials: { ...cache.stats(), entries: cache.size }, decisions: decisionStats }),
    close() {
      cache.close();
    },
  };
}

/** A SigV4 signature over the original request: the verified session, or why it does not authenticate. */
type SignedOutcome =
  | { readonly ok: true; readonly verified: VerifiedSession }
  | { readonly ok: false; readonly reason: SignatureRefusalReason; readonly message: string };

function signedOutcome(result: SignedCredentialResult<VerifiedSession>): SignedOutcome {
  if (result.ok) return { ok: true, verified: result.verified };
  // verifyParsedNow never answers "no signature": the reader found one.
  const reason = result.reason === 'MissingAuthenticationToken' ? 'IncompleteSignature' : result.reason;
  return { ok: false, reason, message: result.message };
}

/** Who asked, and the request fields: the subject of a decision about a verified session. */
function sessionSubject(
  session: RoleSession,
  request: OriginalRequest,
  match: RouteMatch,
): ForwardAuthSubject {
  return {
    principal: session.principalArn,
    role: session.roleArn,
    session: session.id,
    provider: session.provider,
    subject: session.subject,
    ...requestSubject(request, match),
  };
}

/**
 * An allowed request. Its subject is built only when read (the sampled access log): allowed decisions are not
 * audited, and building it for every one cost about 2 % of a hot call.
 */
class AllowedResult {
  readonly reason = 'Allowed';
  #about: ForwardAuthSubject | undefined;

  constructor(
    readonly identity: IdentityHeaders,
    readonly assertion: string,
    private readonly session: RoleSession,
    private readonly request: OriginalRequest,
    private readonly match: RouteMatch,
  ) {}

  get about(): ForwardAuthSubject {
    this.#about ??= sessionSubject(this.session, this.request, this.match);
    return this.#about;
  }
}

/** The request fields of an audit record: where from, and what was asked (never the query or a credential). */
function requestSubject(request: OriginalRequest, match: RouteMatch | undefined): ForwardAuthSubject {
  return {
    ...(request.sourceIp === undefined ? {} : { sourceIp: request.sourceIp }),
    details: {
      method: request.method,
      host: request.host,
      path: request.path,
      ...(match === undefined ? {} : { action: match.route.action, resource: match.resource }),
    },
  };
}

/** The login URL for a browser on a redirect route, else undefined (API clients get the 401). */
function loginRedirect(
  call: AuthorizerCall,
  config: GatewayConfig,
  request: OriginalRequest,
  match: RouteMatch,
): LoginRedirect | undefined {
  if (match.route.onUnauthenticated !== 'redirect') return undefined;
  const accept = headerText(call.headers.accept);
  if (accept === undefined || !/\btext\/html\b/i.test(accept)) return undefined;
  return {
    location: `${config.publicUrl}/login?return_to=${encodeURIComponent(request.url)}`,
    asHeader: request.style === 'original',
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
