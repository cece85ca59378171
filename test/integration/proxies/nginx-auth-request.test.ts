import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startGateway, type GatewayUnderTest } from '../authorizer/authorizer-gateway.js';
import { ordersConfig } from '../authorizer/orders-config.js';
import {
  freePort,
  requireBinary,
  scratchDir,
  spawnProxy,
  startEchoUpstream,
  type EchoUpstream,
  type ProxyProcess,
  expectIdentityHeaders,
} from './proxy-harness.js';

const NGINX = '/usr/sbin/nginx';

/** The guide's configuration (docs/proxies/nginx.md), with test ports and paths. */
function nginxConf(dir: string, port: number, authzPort: number, upstreamPort: number): string {
  return `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  upstream fedgate_authz { server 127.0.0.1:${authzPort}; keepalive 16; }

  server {
    listen 127.0.0.1:${port};

    location = /_fedgate/authz {
      internal;
      proxy_pass http://fedgate_authz/authz;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }

    location @fedgate_unauthenticated {
      if ($fedgate_redirect != "") { return 302 $fedgate_redirect; }
      return 401;
    }

    location / {
      auth_request /_fedgate/authz;
      auth_request_set $fedgate_principal $upstream_http_x_fedgate_principal;
      auth_request_set $fedgate_role $upstream_http_x_fedgate_role;
      auth_request_set $fedgate_subject $upstream_http_x_fedgate_subject;
      auth_request_set $fedgate_session $upstream_http_x_fedgate_session;
      auth_request_set $fedgate_tags $upstream_http_x_fedgate_tags;
      auth_request_set $fedgate_assertion $upstream_http_x_fedgate_assertion;
      auth_request_set $fedgate_redirect $upstream_http_x_fedgate_redirect;
      error_page 401 = @fedgate_unauthenticated;

      proxy_set_header X-Fedgate-Principal $fedgate_principal;
      proxy_set_header X-Fedgate-Role $fedgate_role;
      proxy_set_header X-Fedgate-Subject $fedgate_subject;
      proxy_set_header X-Fedgate-Session $fedgate_session;
      proxy_set_header X-Fedgate-Tags $fedgate_tags;
      proxy_set_header X-Fedgate-Assertion $fedgate_assertion;
      proxy_set_header Host $http_host;
      proxy_pass http://127.0.0.1:${upstreamPort};
    }
  }
}
`;
}

describe('real nginx with auth_request in front of an upstream', () => {
  let gateway: GatewayUnderTest;
  let upstream: EchoUpstream;
  let nginx: ProxyProcess;
  let allowed: string;
  let session: { principalArn: string; id: string };

  beforeAll(async () => {
    await requireBinary(NGINX, 'apt-get install nginx');
    gateway = await startGateway({ config: ordersConfig() });
    upstream = await startEchoUpstream();
    const dir = await scratchDir('fedgate-nginx-');
    const port = await freePort();
    await writeFile(join(dir, 'nginx.conf'), nginxConf(dir, port, gateway.port, upstream.port));
    nginx = await spawnProxy(
      NGINX,
      ['-c', join(dir, 'nginx.conf'), '-p', dir, '-e', join(dir, 'error.log')],
      port,
      {
        cwd: dir,
        cleanup: dir,
      },
    );
    const issued = await gateway.issue({ roleName: 'Developer', tags: { team: 'payments' } });
    allowed = issued.token;
    session = issued.session;
  });
  afterAll(async () => {
    await nginx?.stop();
    await upstream?.close();
    await gateway?.close();
  });

  const through = (path: string, headers: Record<string, string>, method = 'GET') =>
    send(`http://127.0.0.1:${nginx.port}`, {
      method,
      path,
      headers: { host: 'orders.example.com', ...headers },
    });

  it('an allowed request reaches the upstream with the X-Fedgate-* identity headers', async () => {
    const before = upstream.received.length;
    const answer = await through('/orders/42', {
      authorization: `Bearer ${allowed}`,
      'x-fedgate-principal': 'forged',
    });
    expect(answer.status, nginx.output()).toBe(200);
    const seen = upstream.received.slice(before);
    expect(seen).toHaveLength(1);
    await expectIdentityHeaders(seen[0]!, session, await gateway.keys.jwks());
  });

  it('a denied request gets 403 from nginx and never reaches the upstream', async () => {
    const before = upstream.received.length;
    const answer = await through('/orders/666', { authorization: `Bearer ${allowed}` });
    expect(answer.status).toBe(403);
    expect(upstream.received.length).toBe(before);
  });

  it('the original method is what is decided (DELETE without MFA is denied)', async () => {
    const answer = await through('/orders/42', { authorization: `Bearer ${allowed}` }, 'DELETE');
    expect(answer.status).toBe(403);
  });

  it('an unauthenticated request gets 401 with the Bearer challenge and never reaches the upstream', async () => {
    const before = upstream.received.length;
    const missing = await through('/orders/42', {});
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="fedgate"');
    const invalid = await through('/orders/42', { authorization: 'Bearer nope' });
    expect(invalid.status).toBe(401);
    expect(invalid.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(upstream.received.length).toBe(before);
  });

  it('a browser on a redirect route is sent to the login page', async () => {
    const answer = await send(`http://127.0.0.1:${nginx.port}`, {
      path: '/reports?q=1',
      headers: { host: 'app.example.com', accept: 'text/html' },
    });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(
      `https://sso.example.com/login?return_to=${encodeURIComponent('http://app.example.com/reports?q=1')}`,
    );
  });

  it('a path with traversal is denied (no route), not passed on', async () => {
    const answer = await through('/orders/..%2F666', { authorization: `Bearer ${allowed}` });
    expect(answer.status).toBe(403);
  });
});
