import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml } from '../src/portal/html.js';
import { startDemoServer, type DemoServer } from './demo-server.js';

/** A running demo upstream. */
export type DemoOrdersApp = DemoServer;

const ORDERS = [
  { id: '1001', item: 'Espresso machine', team: 'payments' },
  { id: '1002', item: 'Standing desk', team: 'payments' },
  { id: '1003', item: 'Label printer', team: 'logistics' },
];

/**
 * The "orders" service behind fedgate, with the forward-auth step a reverse proxy would do built in: every
 * request is first sent to fedgate's /authz with the original method, host and URI, and only an allowed request
 * is answered, showing the identity headers fedgate passed upstream.
 */
export async function startDemoOrdersApp(options: {
  port: number;
  gatewayUrl: string;
  routeHost: string;
}): Promise<DemoOrdersApp> {
  const base = `http://127.0.0.1:${options.port}`;
  return startDemoServer(options.port, 'orders demo', 502, (req, res) => handle(req, res, base, options));
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  base: string,
  options: { gatewayUrl: string; routeHost: string },
): Promise<void> {
  const uri = req.url ?? '/';
  const headers: Record<string, string> = {
    'x-forwarded-method': req.method ?? 'GET',
    'x-forwarded-proto': 'http',
    'x-forwarded-host': options.routeHost,
    'x-forwarded-uri': uri,
    accept: req.headers.accept ?? '*/*',
  };
  if (req.headers.cookie !== undefined) headers.cookie = req.headers.cookie;
  if (req.headers.authorization !== undefined) headers.authorization = req.headers.authorization;
  const answer = await fetch(`${options.gatewayUrl}/authz`, { headers, redirect: 'manual' });
  if (answer.status === 302 || answer.status === 401) {
    if ((req.headers.accept ?? '').includes('text/html')) {
      // Back to this app (not the route's virtual host) after signing in.
      res.writeHead(302, {
        location: `${options.gatewayUrl}/login?return_to=${encodeURIComponent(base + uri)}`,
      });
      res.end();
      return;
    }
    send(res, 401, 'Sign in first', `fedgate answered ${answer.status}: no valid credential.`);
    return;
  }
  if (answer.status !== 200) {
    const problem = (await answer.json().catch(() => ({}))) as { code?: string };
    send(res, answer.status, 'Denied', `fedgate answered ${answer.status} ${problem.code ?? ''}.`);
    return;
  }
  const identity = [
    'x-fedgate-principal',
    'x-fedgate-role',
    'x-fedgate-subject',
    'x-fedgate-session',
    'x-fedgate-tags',
  ]
    .map(
      (name) =>
        `<tr><th>${name}</th><td><code>${escapeHtml(answer.headers.get(name) ?? '')}</code></td></tr>`,
    )
    .join('');
  const match = /^\/orders\/([^/?]+)/.exec(uri);
  const orders = match === null ? ORDERS : ORDERS.filter((order) => order.id === match[1]);
  const rows = orders
    .map(
      (order) =>
        `<li><a href="/orders/${order.id}">Order ${order.id}</a>: ${escapeHtml(order.item)} (team ${order.team})</li>`,
    )
    .join('');
  send(
    res,
    200,
    'Orders',
    `<ul>${rows}</ul><h2>What fedgate told this service</h2><table>${identity}</table>
<p>Try <code>curl -X DELETE -H "Authorization: Bearer $FEDGATE_TOKEN" ${base}/orders/1001</code>: the guardrail denies deletes without MFA.</p>`,
  );
}

function send(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · orders demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem}code{word-break:break-all}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}
