import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startGateway, type GatewayUnderTest } from '../authorizer/authorizer-gateway.js';
import { forwardAuthAttacks, proxiedOrdersConfig } from './forward-auth-attacks.js';
import {
  expectIdentityHeaders,
  freePort,
  guideConfig,
  requireBinary,
  scratchDir,
  spawnProxy,
  startExpressUpstream,
  type ExpressUpstream,
  type ProxyProcess,
} from './proxy-harness.js';
import { sigv4CredentialOf, sigv4ThroughProxy, type FedgateCredential } from './sigv4-through-proxy.js';

const NGINX = '/usr/sbin/nginx';

/** docs/proxies/nginx.md's configuration itself, on test ports, without TLS, under a minimal main context. */
async function nginxConf(
  dir: string,
  port: number,
  authzPort: number,
  upstreamPort: number,
): Promise<string> {
  const guide = await guideConfig('nginx.md', 'nginx', [
    ['listen 443 ssl default_server;', `listen 127.0.0.1:${port} default_server;`],
    ['listen 443 ssl;', `listen 127.0.0.1:${port};`],
    ['server 127.0.0.1:8081;', `server 127.0.0.1:${authzPort};`],
    ['proxy_pass http://127.0.0.1:3000;', `proxy_pass http://127.0.0.1:${upstreamPort};`],
  ]);
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
${guide}
}
`;
}

describe('real nginx with auth_request (docs/proxies/nginx.md) in front of an Express upstream', () => {
  let gateway: GatewayUnderTest;
  let upstream: ExpressUpstream;
  let nginx: ProxyProcess;
  let token: string;
  let session: { principalArn: string; id: string };
  let credential: FedgateCredential;

  beforeAll(async () => {
    await requireBinary(NGINX, 'apt-get install nginx');
    gateway = await startGateway({ config: proxiedOrdersConfig('original') });
    upstream = await startExpressUpstream();
    const dir = await scratchDir('fedgate-nginx-');
    const port = await freePort();
    await writeFile(join(dir, 'nginx.conf'), await nginxConf(dir, port, gateway.port, upstream.port));
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
    token = issued.token;
    session = issued.session;
    credential = sigv4CredentialOf(issued);
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

  it('an allowed request reaches the upstream with the X-Fedgate-* identity headers, forged ones replaced', async () => {
    const before = upstream.received.length;
    const answer = await through('/orders/42', {
      authorization: `Bearer ${token}`,
      'x-fedgate-principal': 'forged',
    });
    expect(answer.status, nginx.output()).toBe(200);
    const seen = upstream.received.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers.host).toBe('orders.example.com');
    await expectIdentityHeaders(seen[0]!.headers, session, await gateway.keys.jwks());
  });

  it('a denied request gets 403 from nginx and never reaches the upstream', async () => {
    const before = upstream.received.length;
    const answer = await through('/orders/666', { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(403);
    expect(upstream.received.length).toBe(before);
  });

  it('a denied request carries the authorizer explanation headers through nginx (layer, policy, Sid, simulator link)', async () => {
    const answer = await through('/orders/red/admin', { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(403);
    expect(answer.headers['x-fedgate-denied-by']).toBe('identity');
    expect(answer.headers['x-fedgate-denied-policy']).toBe('policies.RedTeam');
    expect(answer.headers['x-fedgate-denied-sid']).toBe('NoAdmin');
    expect(answer.headers['x-fedgate-simulator']).toMatch(/\/portal\/simulator\?/);
  });

  it('the original method is what is decided (DELETE without MFA is denied)', async () => {
    const answer = await through('/orders/42', { authorization: `Bearer ${token}` }, 'DELETE');
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
    const answer = await through('/ui/reports?q=1', { accept: 'text/html' });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(
      `https://sso.example.com/login?return_to=${encodeURIComponent('http://orders.example.com/ui/reports?q=1')}`,
    );
  });

  it("nginx's request id reaches fedgate's audit record of a denial", async () => {
    await through('/orders/666', { authorization: `Bearer ${token}` });
    const denial = gateway.audit.findLast((event) => event.reason === 'ExplicitDeny');
    expect(denial?.requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a path with traversal is refused, not passed on', async () => {
    const before = upstream.received.length;
    const answer = await through('/orders/..%2F666', { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(500);
    expect(upstream.received.length).toBe(before);
  });

  forwardAuthAttacks(() => ({
    proxyPort: nginx.port,
    upstream,
    token,
    // auth_request turns any status but 2xx/401/403 into a 500: fedgate's 400 ends as a 500, closed.
    refusedStatus: 500,
    unknownHostStatus: 421,
    fragment: { status: 403 },
  }));

  sigv4ThroughProxy(() => ({ proxyPort: nginx.port, upstream, gateway, credential }));
});
