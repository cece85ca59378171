import type { IncomingMessage } from 'node:http';
import type { SignableRequest } from '../sigv4/index.js';

/**
 * The request as the client signed it: method, the raw path and query of the request line, and every header
 * value as received. `url` defaults to the request line's target (Express rewrites `req.url` when mounting).
 */
export function signableRequestOf(req: IncomingMessage, url: string = req.url ?? '/'): SignableRequest {
  const q = url.indexOf('?');
  const headers = req.headersDistinct;
  return {
    method: req.method ?? 'GET',
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    header: (name) => headers[name],
  };
}
