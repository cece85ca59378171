import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USERS } from './demo-users.js';
import { startDemo } from './start-demo.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The click-through demo (`npm start`): the demo OIDC IdP on :8090, the demo SAML IdP on :8091, fedgate with
 * config/gateway.yaml on :8080 and the "orders" service behind it on :8092, all on loopback.
 */
async function main(): Promise<void> {
  const demo = await startDemo({ configPath: resolve(root, 'config/gateway.yaml') });
  const users = DEMO_USERS.map(
    (user) => `  ${user.username.padEnd(6)} ${user.password.padEnd(22)} ${user.story}`,
  ).join('\n');
  process.stdout.write(`
fedgate demo is running.

  Open ${demo.gateway.url}/  and sign in with "Demo OIDC IdP" or "Demo SAML IdP".

  demo users (username, password):
${users}

  OIDC IdP  ${demo.oidcIssuer}
  SAML IdP  ${demo.samlUrl}/metadata
  orders    ${demo.ordersUrl}/orders   (a service behind fedgate's authorizer)

  Click Delete on an order as erin: the orders app shows which policy layer and statement denied it,
  with a link to fedgate's policy simulator.

Ctrl-C stops everything.
`);
  const stop = async (): Promise<void> => {
    await demo.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
