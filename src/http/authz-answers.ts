import type { ServerResponse } from 'node:http';
import {
  headerSafe,
  type DenialExplanation,
  type ForwardAuthOutcome,
  type IdentityHeaders,
} from '../authorizer/index.js';
import { FedgateError, type ErrorCode } from '../errors/index.js';
import { problemFor, writeProblem } from './problem.js';

/** Why a credential was not accepted: RFC 6750 says a missing one gets no `error` parameter. */
export type UnauthenticatedReason = 'missing' | 'invalid';

const NO_STORE = 'no-store';

/** 200: the request may pass; the identity headers and the assertion go to the upstream. */
export function answerAllowed(
  res: ServerResponse,
  identity: IdentityHeaders,
  assertion: string,
  requestId: string,
): void {
  // One flat name/value list: Node stores it without walking an object's keys.
  res.writeHead(200, [
    'x-request-id',
    requestId,
    'x-fedgate-principal',
    identity['x-fedgate-principal'],
    'x-fedgate-role',
    identity['x-fedgate-role'],
    'x-fedgate-subject',
    identity['x-fedgate-subject'],
    'x-fedgate-session',
    identity['x-fedgate-session'],
    'x-fedgate-tags',
    identity['x-fedgate-tags'],
    'x-fedgate-assertion',
    assertion,
    'cache-control',
    NO_STORE,
    'content-length',
    '0',
  ]);
  res.end();
}

/** 401 with the RFC 6750 challenge. */
export function answerUnauthenticated(
  res: ServerResponse,
  reason: UnauthenticatedReason,
  requestId: string,
  extraHeaders: Record<string, string> = {},
): void {
  const challenge =
    reason === 'missing'
      ? 'Bearer realm="fedgate"'
      : 'Bearer realm="fedgate", error="invalid_token", error_description="The session credential is invalid, expired or revoked"';
  const error =
    reason === 'missing'
      ? new FedgateError('InvalidToken', 'A session credential is required.')
      : new FedgateError('InvalidToken', 'The session credential is invalid, expired or revoked.');
  writeProblem(res, error, requestId, { 'www-authenticate': challenge, ...extraHeaders });
}

/**
 * 401 for a SigV4-signed request that does not authenticate: AWS's code (`SignatureDoesNotMatch`, `ExpiredToken`…)
 * and message, which never echo a request value, and an `AWS4-HMAC-SHA256` challenge (RFC 9110 requires one).
 */
export function answerSignatureRefused(
  res: ServerResponse,
  outcome: ForwardAuthOutcome,
  requestId: string,
  message: string,
): void {
  writeProblem(
    res,
    new FedgateError(outcome.code ?? 'InvalidToken', message, { status: outcome.status }),
    requestId,
    { 'www-authenticate': 'AWS4-HMAC-SHA256 realm="fedgate"' },
  );
}

/** 302 to the login page (browsers on `onUnauthenticated: redirect` routes). */
export function answerLoginRedirect(res: ServerResponse, location: string, requestId: string): void {
  res.writeHead(302, {
    location,
    'x-request-id': requestId,
    'cache-control': NO_STORE,
    'content-length': 0,
  });
  res.end();
}

const DETAILS: Partial<Record<ErrorCode, string>> = {
  NoMatchingRoute: 'No route is configured for this request.',
  ExplicitDeny: 'The request is explicitly denied by a policy.',
  ImplicitDeny: 'No policy allows the request.',
  AccessDenied: 'Access denied.',
  AmbiguousForwardedRequest: 'The request carries the forwarding headers of more than one proxy family.',
  StoreUnavailable: 'Session state cannot be checked right now.',
};

/** A refusal naming only its stable code (never the policy text, or which statement decided). */
export function answerRefused(
  res: ServerResponse,
  code: ErrorCode,
  requestId: string,
  detail = DETAILS[code] ?? 'The request was refused.',
): void {
  writeProblem(
    res,
    new FedgateError(code, detail),
    requestId,
    code === 'StoreUnavailable' ? { 'retry-after': '1' } : {},
  );
}

/** A JSON 200 body. */
export function answerJson(res: ServerResponse, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'x-request-id': requestId,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': NO_STORE,
  });
  res.end(text);
}

/** How each layer is named to the person denied (AWS: "a service control policy", "a permissions boundary"…). */
const LAYER_NAMES: Readonly<Record<DenialExplanation['layer'], string>> = {
  guardrail: 'a guardrail',
  boundary: 'the permissions boundary',
  session: 'a session policy',
  identity: 'an identity policy',
  resource: 'a resource policy',
  trust: 'the trust policy',
};

/**
 * 403 for a policy deny, explained to the person denied as AWS explains same-account denials: the layer, the
 * denying statement's policy name and Sid (headers `X-Fedgate-Denied-By`, `-Policy`, `-Sid`, and the problem's
 * `deniedBy` member) and `X-Fedgate-Simulator`, the portal's simulator for the same request. Never policy text.
 */
export function answerDenied(
  res: ServerResponse,
  code: 'ExplicitDeny' | 'ImplicitDeny',
  requestId: string,
  denial: DenialExplanation | undefined,
): void {
  if (denial === undefined) {
    answerRefused(res, code, requestId);
    return;
  }
  const layer = LAYER_NAMES[denial.layer];
  const detail =
    code === 'ExplicitDeny'
      ? `The request is explicitly denied by a statement in ${layer}.`
      : `No statement in ${layer} allows the request.`;
  const statement = denial.statement;
  const body = JSON.stringify({
    ...problemFor(new FedgateError(code, detail), requestId),
    deniedBy: {
      layer: denial.layer,
      ...(statement === undefined ? {} : { policy: statement.policy }),
      ...(statement?.sid === undefined ? {} : { sid: statement.sid }),
    },
    simulator: denial.simulatorUrl,
  });
  res.writeHead(403, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': NO_STORE,
    'x-request-id': requestId,
    'x-fedgate-denied-by': denial.layer,
    ...(statement === undefined ? {} : { 'x-fedgate-denied-policy': headerSafe(statement.policy) }),
    ...(statement?.sid === undefined ? {} : { 'x-fedgate-denied-sid': headerSafe(statement.sid) }),
    'x-fedgate-simulator': denial.simulatorUrl,
  });
  res.end(body);
}
