import type { IncomingMessage, ServerResponse } from 'node:http';
import { FedgateError } from '../errors/index.js';
import { writeProblem } from './problem.js';

/**
 * What the main listener answers while the gateway waits for its store at start-up: alive (`/healthz`
 * 200), not ready (`/readyz` 503, so no load balancer sends traffic), and 503 StoreUnavailable for
 * everything else, never a guess.
 */
export function startingHandler(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') {
    const body = JSON.stringify({ status: 'ok' });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (path === '/readyz') {
    const body = JSON.stringify({ status: 'not-ready', checks: { store: 'failed' } });
    res.writeHead(503, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'retry-after': '1',
    });
    res.end(body);
    return;
  }
  writeProblem(
    res,
    new FedgateError('StoreUnavailable', 'The gateway is starting: its store is not reachable yet.'),
    undefined,
    {
      'retry-after': '1',
    },
  );
}
