import type { ServerResponse } from 'node:http';
import { FedgateError, type ErrorCode } from '../errors/index.js';

/** An RFC 9457 problem document with fedgate's stable `code`. */
export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly requestId?: string;
}

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The problem document for an error; anything that is not a FedgateError becomes an opaque InternalError. */
export function problemFor(error: unknown, requestId?: string): ProblemDocument {
  const known = toFedgateError(error);
  return {
    type: `https://fedgate.dev/errors/${known.code}`,
    title: TITLES[known.status] ?? 'Error',
    status: known.status,
    detail: known.detail,
    code: known.code,
    ...(requestId === undefined ? {} : { requestId }),
  };
}

/** A body that is not the JSON or form it says it is (the body parsers' `entity.parse.failed`). */
export function malformedRequestBody(): FedgateError {
  return new FedgateError('ValidationError', 'Malformed request body');
}

/** A body in a charset or content encoding the app does not read. */
export function unsupportedRequestEncoding(): FedgateError {
  return new FedgateError('UnsupportedMediaType', 'Unsupported request encoding');
}

/** Maps framework and parser errors to FedgateError; unknown errors become InternalError with no detail. */
export function toFedgateError(error: unknown): FedgateError {
  if (error instanceof FedgateError) return error;
  const candidate = error as { type?: unknown; status?: unknown } | null;
  if (candidate !== null && typeof candidate === 'object') {
    if (candidate.type === 'entity.too.large')
      return new FedgateError('PayloadTooLarge', 'Request body too large');
    if (candidate.type === 'entity.parse.failed') return malformedRequestBody();
    if (candidate.type === 'encoding.unsupported' || candidate.type === 'charset.unsupported')
      return unsupportedRequestEncoding();
    if (candidate.type === 'parameters.too.many')
      return new FedgateError('ValidationError', 'Too many parameters');
  }
  return new FedgateError('InternalError', 'Internal error');
}

/** Writes a problem+json answer on a bare node:http response. */
export function writeProblem(
  res: ServerResponse,
  error: unknown,
  requestId?: string,
  headers: Record<string, string> = {},
): void {
  const problem = problemFor(error, requestId);
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...(requestId === undefined ? {} : { 'x-request-id': requestId }),
    ...headers,
  });
  res.end(body);
}
