import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AUTHZ_MOUNT,
  FORWARD_AUTH_ERROR_METRIC,
  FORWARD_AUTH_OUTCOMES,
  type AuthorizerCall,
  type Authorizer,
  type ForwardAuthResult,
  type ForwardAuthSubject,
} from '../authorizer/index.js';
import type { AuditEventOf, AuditLog } from '../audit/index.js';
import { FedgateError, isFedgateError } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { readCredential } from '../sessions/index.js';
import {
  answerAllowed,
  answerDenied,
  answerJson,
  answerLoginRedirect,
  answerRefused,
  answerSignatureRefused,
  answerUnauthenticated,
} from './authz-answers.js';
import { malformedRequestBody, writeProblem } from './problem.js';
import { requestIdFrom } from './request-id.js';

/** What the `/authz` handler needs. */
export interface AuthzHandlerDeps {
  readonly authorizer: Authorizer;
  /** Where denials go: `record` writes each, `count` counts refused credentials per source and reason. */
  readonly audit?: Pick<AuditLog, 'record' | 'count'>;
  readonly metrics?: GatewayMetrics;
  /** Where the sampled access log of allowed decisions goes (`log.authzAccessSample`). */
  readonly logger?: Pick<Logger, 'info'>;
  /** The share (0..1) of allowed decisions logged; read per request, so a reload applies at once. */
  readonly accessSample?: () => number;
  /** Random numbers in [0, 1) for the sampling; injected by tests. */
  readonly random?: () => number;
}

const MAX_CHECK_BODY_BYTES = 64 * 1024;

/**
 * THE `/authz` handler (SPEC 4.5) for the bare authorizer listener and the main listener alike: parses the proxy's
 * request once (the `/authz` prefix, the request id, the call), asks the authorizer, then renders the
 * ForwardAuthResult, audits it and counts it. `POST /authz/check` with a JSON body is the check API.
 */
export function createAuthzHandler(
  deps: AuthzHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { authorizer, metrics } = deps;

  const random = deps.random ?? Math.random;

  const audit = (result: ForwardAuthResult, requestId: string): void => {
    if (deps.audit === undefined || result.reason === 'Allowed') return;
    const how = FORWARD_AUTH_OUTCOMES[result.reason].audit;
    if (how === 'none' || (result.reason === 'NoMatchingRoute' && result.automatic)) return;
    const event: AuditEventOf<'authz.denied'> = {
      event: 'authz.denied',
      outcome: 'denied',
      reason: result.reason,
      requestId,
      ...result.about,
    };
    if (how === 'counted') deps.audit.count(event);
    else deps.audit.record(event);
  };

  const render = (res: ServerResponse, result: ForwardAuthResult, requestId: string): void => {
    switch (result.reason) {
      case 'Allowed':
        answerAllowed(res, result.identity, result.assertion, requestId);
        return;
      case 'MissingCredential':
      case 'InvalidCredential': {
        const reason = result.reason === 'MissingCredential' ? 'missing' : 'invalid';
        const redirect = result.loginRedirect;
        if (redirect === undefined) answerUnauthenticated(res, reason, requestId);
        else if (redirect.asHeader)
          answerUnauthenticated(res, reason, requestId, { 'x-fedgate-redirect': redirect.location });
        else answerLoginRedirect(res, redirect.location, requestId);
        return;
      }
      case 'IncompleteSignature':
      case 'SignatureDoesNotMatch':
      case 'RequestExpired':
      case 'InvalidClientTokenId':
      case 'ExpiredToken':
      case 'PayloadSigningNotAccepted':
        answerSignatureRefused(res, FORWARD_AUTH_OUTCOMES[result.reason], requestId, result.message);
        return;
      case 'UnsafeRequestPath':
        answerRefused(res, 'UnsafeRequestPath', requestId, PATH_REFUSALS[result.pathRefusal]);
        return;
      case 'ExplicitDeny':
      case 'ImplicitDeny':
        answerDenied(res, result.reason, requestId, result.denial);
        return;
      default:
        answerRefused(res, FORWARD_AUTH_OUTCOMES[result.reason].code ?? 'InternalError', requestId);
    }
  };

  /** Asks the authorizer; a decision that needed no waiting is answered in the same tick (the hot path). */
  const forwardAuth = (res: ServerResponse, call: AuthorizerCall, requestId: string): void => {
    const sample = deps.accessSample?.() ?? 0;
    const started = metrics === undefined && sample <= 0 ? undefined : process.hrtime.bigint();
    const result = authorizer.authorize(call);
    if (result instanceof Promise)
      result
        .then((decided) => answer(res, decided, requestId, sample, started))
        .catch((error: unknown) => fail(res, error, requestId));
    else answer(res, result, requestId, sample, started);
  };

  const answer = (
    res: ServerResponse,
    result: ForwardAuthResult,
    requestId: string,
    sample: number,
    started: bigint | undefined,
  ): void => {
    audit(result, requestId);
    render(res, result, requestId);
    if (started === undefined) return;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (metrics !== undefined) {
      metrics.authzDecisions.inc({ outcome: FORWARD_AUTH_OUTCOMES[result.reason].metric });
      metrics.authzDuration.observe(seconds);
    }
    if (result.reason === 'Allowed' && sample > 0 && random() < sample)
      logAllowed(result.about, requestId, seconds);
  };

  /** One access-log line for an allowed decision: who, what, from where; never a credential or the query. */
  const logAllowed = (about: ForwardAuthSubject, requestId: string, seconds: number): void => {
    deps.logger?.info(
      {
        requestId,
        outcome: 'allow',
        principal: about.principal,
        session: about.session,
        sourceIp: about.sourceIp,
        ...about.details,
        // Microsecond digits of a millisecond figure are noise in a log line.
        ms: Math.round(seconds * 100_000) / 100,
      },
      'authz allowed',
    );
  };

  const check = async (
    req: IncomingMessage,
    res: ServerResponse,
    call: AuthorizerCall,
    requestId: string,
  ) => {
    const body = await readJsonBody(req);
    const forwardedFor = req.headers['x-forwarded-for'];
    const outcome = await authorizer.check(body, {
      sourceIp: authorizer.clientAddress(
        call.peer,
        Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor,
      ),
      secure: call.encrypted,
      credential: readCredential(
        { authorization: req.headers.authorization, cookie: req.headers.cookie },
        { cookie: true },
      ),
    });
    if (outcome.kind === 'answer') answerJson(res, outcome.answer, requestId);
    else if (outcome.kind === 'unauthenticated') answerUnauthenticated(res, outcome.credential, requestId);
    else answerRefused(res, 'AccessDenied', requestId);
  };

  const fail = (res: ServerResponse, error: unknown, requestId: string): void => {
    metrics?.authzDecisions.inc({ outcome: FORWARD_AUTH_ERROR_METRIC });
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
  };

  return (req, res) => {
    const call = authorizerCallOf(req);
    const q = call.url.indexOf('?');
    const path = q === -1 ? call.url : call.url.slice(0, q);
    // An incoming request id is honoured only from a trusted proxy; anyone else's is replaced.
    const requestId = requestIdFrom(authorizer.trusts(call.peer) ? req.headers['x-request-id'] : undefined);
    if (path === `${AUTHZ_MOUNT}/check` && req.method === 'POST' && isJson(req.headers['content-type'])) {
      check(req, res, call, requestId).catch((error: unknown) => fail(res, error, requestId));
      return;
    }
    if (path === AUTHZ_MOUNT || path.startsWith(`${AUTHZ_MOUNT}/`)) {
      try {
        forwardAuth(res, call, requestId);
      } catch (error) {
        fail(res, error, requestId);
      }
      return;
    }
    writeProblem(res, new FedgateError('NotFound', 'Not found'), requestId);
  };
}

/** The call as a node:http request carries it. */
function authorizerCallOf(req: IncomingMessage): AuthorizerCall {
  return {
    method: req.method ?? 'GET',
    // Express rewrites `req.url` under a mount path but keeps `originalUrl`.
    url: (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/',
    headers: req.headers,
    peer: req.socket.remoteAddress,
    encrypted: 'encrypted' in req.socket,
  };
}

function isJson(type: string | undefined): boolean {
  return type !== undefined && /^application\/json\s*(;|$)/i.test(type);
}

/** The body as JSON: Express may already have parsed it (main listener); else read at most 64 KiB. */
async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined) return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CHECK_BODY_BYTES) throw new FedgateError('PayloadTooLarge', 'Request body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw malformedRequestBody();
  }
}

const PATH_REFUSALS: Record<
  Extract<ForwardAuthResult, { reason: 'UnsafeRequestPath' }>['pathRefusal'],
  string
> = {
  NotAbsolute: 'The request path is not absolute.',
  BadEncoding: 'The request path is not valid percent-encoded UTF-8.',
  DotSegment: 'The request path has a . or .. segment.',
  EncodedSeparator: 'The request path has an encoded slash or a backslash.',
  SemicolonParameter: 'The request path has a ; parameter.',
  TrailingDotOrSpace: 'A request path segment ends in a dot or a space.',
  DoubleEncoding: 'The request path is percent-encoded twice (%25).',
  ControlCharacter: 'The request path has a control character.',
  NonNormalizedText: 'The request path has text that is not in Unicode NFC/NFKC form.',
  TooManySegments: 'The request path has too many segments.',
};
