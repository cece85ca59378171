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

/** How the demo names each layer fedgate reports in `X-Fedgate-Denied-By`. */
const LAYER_LABELS: Readonly<Record<string, string>> = {
  guardrail: 'guardrail',
  boundary: 'permissions boundary',
  session: 'session policy',
  identity: 'identity policy',
  resource: 'resource policy',
};

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  base: string,
  options: { gatewayUrl: string; routeHost: string },
): Promise<void> {
  const requested = req.url ?? '/';
  // A browser form cannot send DELETE: the app's delete button posts to /orders/<id>/delete, which the app
  // serves as the DELETE /orders/<id> that fedgate's route table authorizes.
  const deleting = req.method === 'POST' ? /^\/orders\/([^/?]+)\/delete$/.exec(requested) : null;
  const method = deleting === null ? (req.method ?? 'GET') : 'DELETE';
  const uri = deleting === null ? requested : `/orders/${deleting[1] ?? ''}`;
  const headers: Record<string, string> = {
    'x-forwarded-method': method,
    'x-forwarded-proto': 'http',
    'x-forwarded-host': options.routeHost,
    'x-forwarded-uri': uri,
    accept: req.headers.accept ?? '*/*',
  };
  if (req.headers.cookie !== undefined) headers.cookie = req.headers.cookie;
  if (req.headers.authorization !== undefined) headers.authorization = req.headers.authorization;
  const answer = await fetch(`${options.gatewayUrl}/authz`, { headers, redirect: 'manual' });
  if (answer.status === 302 || answer.status === 401) {
    if ((req.headers.accept ?? '').includes('text/html') && method === 'GET') {
      // Back to this app (not the route's virtual host) after signing in.
      res.writeHead(302, {
        location: `${options.gatewayUrl}/login?return_to=${encodeURIComponent(base + uri)}`,
      });
      res.end();
      return;
    }
    send(res, 401, 'Sign in first', `<p>fedgate answered ${answer.status}: no valid credential.</p>`);
    return;
  }
  if (answer.status === 403) {
    const problem = (await answer.json().catch(() => ({}))) as { code?: string };
    send(res, 403, 'Denied', denialHtml(method, uri, answer, problem.code ?? 'Forbidden'));
    return;
  }
  if (answer.status !== 200) {
    const problem = (await answer.json().catch(() => ({}))) as { code?: string };
    send(
      res,
      answer.status,
      'Not available',
      `<p>fedgate answered ${answer.status} ${escapeHtml(problem.code ?? '')}.</p>`,
    );
    return;
  }
  if (deleting !== null) {
    send(
      res,
      200,
      'Deleted',
      `<p role="status">fedgate allowed <code>DELETE ${escapeHtml(uri)}</code>. (The demo keeps its orders: nothing is really deleted.)</p><p><a href="/orders">Back to the orders</a></p>`,
    );
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
        `<li><a href="/orders/${order.id}">Order ${order.id}</a>: ${escapeHtml(order.item)} (team ${order.team})
<form method="post" action="/orders/${order.id}/delete"><button type="submit" aria-label="Delete order ${order.id}">Delete</button></form></li>`,
    )
    .join('');
  send(
    res,
    200,
    'Orders',
    `<ul class="orders">${rows}</ul><h2>What fedgate told this service</h2><table>${identity}</table>
<p>Deleting asks fedgate about <code>DELETE /orders/&lt;id&gt;</code> (action <code>orders:DeleteOrder</code>): the guardrail denies deletes without MFA.</p>`,
  );
}

/**
 * What fedgate said about a denied request, from its 403's headers: the layer (`X-Fedgate-Denied-By`), the
 * denying statement (`X-Fedgate-Denied-Policy`, `X-Fedgate-Denied-Sid`) and the simulator link
 * (`X-Fedgate-Simulator`). fedgate tells only the person whose own credential was denied, never policy text.
 */
function denialHtml(method: string, uri: string, answer: Response, code: string): string {
  const layer = answer.headers.get('x-fedgate-denied-by');
  const policy = answer.headers.get('x-fedgate-denied-policy');
  const sid = answer.headers.get('x-fedgate-denied-sid');
  const simulator = answer.headers.get('x-fedgate-simulator');
  const request = `<p>fedgate denied <code>${escapeHtml(`${method} ${uri}`)}</code>.</p>`;
  if (layer === null)
    // No route (NoMatchingRoute), or a gateway whose authorizer.explainDenials is off.
    return `${request}<p>fedgate answered <code>${escapeHtml(code)}</code>, without naming a policy.</p>`;
  const rows = [
    `<tr><th>Layer</th><td data-field="layer">${escapeHtml(LAYER_LABELS[layer] ?? layer)}</td></tr>`,
    policy === null
      ? ''
      : `<tr><th>Policy</th><td data-field="policy"><code>${escapeHtml(policy)}</code></td></tr>`,
    policy === null
      ? `<tr><th>Statement</th><td data-field="statement">none: no statement in this layer allows the request</td></tr>`
      : `<tr><th>Statement</th><td data-field="statement"><code>${escapeHtml(sid ?? '(no Sid)')}</code></td></tr>`,
  ].join('');
  const link =
    simulator !== null && /^https?:\/\//.test(simulator)
      ? `<p><a href="${escapeHtml(simulator)}">Open this request in the policy simulator</a></p>`
      : '';
  return `${request}<table class="denial">${rows}</table>${link}<p><a href="/orders">Back to the orders</a></p>`;
}

function send(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · orders demo</title>
<style>:root{color-scheme:light dark}body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}th{text-align:left;padding-right:1rem}code{word-break:break-all}
ul.orders li{margin:.5rem 0}ul.orders form{display:inline;margin-left:.75rem}button{font:inherit;cursor:pointer;border-radius:.375rem;padding:.2rem .75rem;border:1px solid #b42318;background:#b42318;color:#fff}
table.denial{border-collapse:collapse;margin:1rem 0}table.denial th,table.denial td{border:1px solid #d0d7de;padding:.4rem .75rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}
