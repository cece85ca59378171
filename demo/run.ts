import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startGateway } from '../src/main.js';
import { startTestOidcIdp } from '../test/support/oidc-idp.js';
import { DEMO_USERS } from './demo-users.js';
import { startDemoSamlIdp } from './demo-saml-idp.js';
import { startDemoOrdersApp } from './demo-orders-app.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const configPath = resolve(root, 'config/gateway.yaml');
const GATEWAY_PORT = 8080;

/**
 * The click-through demo: the demo OIDC IdP (npm oidc-provider) on :8090, the demo SAML IdP (samlify) on :8091,
 * fedgate with config/gateway.yaml on :8080 and the "orders" service behind it on :8092, all on loopback.
 */
async function main(): Promise<void> {
  const oidc = await startTestOidcIdp({
    port: 8090,
    clients: [
      {
        clientId: 'fedgate-demo',
        clientSecret: process.env.DEMO_OIDC_CLIENT_SECRET ?? 'demo-oidc-secret-not-for-production',
        redirectUris: [`http://127.0.0.1:${GATEWAY_PORT}/oidc/demo-oidc/callback`],
        postLogoutRedirectUris: [`http://127.0.0.1:${GATEWAY_PORT}/`],
        idTokenSignedResponseAlg: 'ES256',
      },
    ],
    accounts: Object.fromEntries(
      DEMO_USERS.map((user) => [
        user.username,
        {
          password: user.password,
          amr: user.mfa ? ['pwd', 'mfa'] : ['pwd'],
          claims: { email: user.email, name: user.name, groups: [...user.groups], team: user.team },
        },
      ]),
    ),
    skipConsent: true,
  });
  const saml = await startDemoSamlIdp({ port: 8091, configDir: resolve(root, 'config') });
  const gateway = await startGateway({ configPath, port: GATEWAY_PORT });
  const orders = await startDemoOrdersApp({ port: 8092, gatewayUrl: gateway.url, routeHost: 'orders.localhost' });

  const users = DEMO_USERS.map((user) => `  ${user.username.padEnd(6)} ${user.password.padEnd(22)} ${user.story}`).join('\n');
  process.stdout.write(`
fedgate demo is running.

  Open ${gateway.url}/  and sign in with "Demo OIDC IdP" or "Demo SAML IdP".

  demo users (username, password):
${users}

  OIDC IdP  ${oidc.issuer}
  SAML IdP  ${saml.url}/metadata
  orders    ${orders.url}/orders   (a service behind fedgate's authorizer)

Ctrl-C stops everything.
`);
  const stop = async (): Promise<void> => {
    await Promise.allSettled([orders.stop(), gateway.close(), saml.stop(), oidc.stop()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
