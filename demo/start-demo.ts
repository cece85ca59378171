import { dirname } from 'node:path';
import { startGateway, type RunningGateway } from '../src/main.js';
import type { Logger } from '../src/observability/logger.js';
import { startTestOidcIdp } from '../test/support/oidc-idp.js';
import { DEMO_USERS } from './demo-users.js';
import { startDemoSamlIdp } from './demo-saml-idp.js';
import { startDemoOrdersApp } from './demo-orders-app.js';
import { DEMO_OIDC_BRAND, demoIdpPage, demoUsersList } from './demo-idp-page.js';

/** Loopback ports of the demo's pieces; the configuration names the same ones. */
export interface DemoPorts {
  readonly gateway: number;
  readonly oidc: number;
  readonly saml: number;
  readonly orders: number;
}

/** The ports config/gateway.yaml is written for. */
export const DEFAULT_DEMO_PORTS: DemoPorts = { gateway: 8080, oidc: 8090, saml: 8091, orders: 8092 };

/** The OIDC client secret of the demo, unless DEMO_OIDC_CLIENT_SECRET says otherwise. */
const DEMO_OIDC_CLIENT_SECRET = 'demo-oidc-secret-not-for-production';

/** What startDemo needs. */
export interface StartDemoOptions {
  /** The gateway configuration; its folder also holds `demo/idp-key.pem` and `demo/idp-cert.pem`. */
  readonly configPath: string;
  readonly ports?: DemoPorts;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

/** The running demo. */
export interface RunningDemo {
  readonly gateway: RunningGateway;
  readonly oidcIssuer: string;
  readonly samlUrl: string;
  readonly ordersUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the click-through demo: the demo OIDC IdP (npm oidc-provider), the demo SAML IdP (signed responses from a
 * real XML-signature library), fedgate with the given configuration, and the "orders" service behind it.
 */
export async function startDemo(options: StartDemoOptions): Promise<RunningDemo> {
  const ports = options.ports ?? DEFAULT_DEMO_PORTS;
  const env = options.env ?? process.env;
  const gatewayBase = `http://127.0.0.1:${ports.gateway}`;
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(
      stops
        .splice(0)
        .reverse()
        .map((close) => close()),
    );
  };
  try {
    const oidc = await startTestOidcIdp({
      port: ports.oidc,
      clients: [
        {
          clientId: 'fedgate-demo',
          clientSecret: env.DEMO_OIDC_CLIENT_SECRET ?? DEMO_OIDC_CLIENT_SECRET,
          redirectUris: [`${gatewayBase}/oidc/demo-oidc/callback`],
          postLogoutRedirectUris: [`${gatewayBase}/`],
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
      renderPage: (title, body) => demoIdpPage(DEMO_OIDC_BRAND, title, body),
      loginFooter: demoUsersList(),
    });
    stops.push(() => oidc.stop());
    const saml = await startDemoSamlIdp({ port: ports.saml, configDir: dirname(options.configPath) });
    stops.push(() => saml.stop());
    const gateway = await startGateway({
      configPath: options.configPath,
      port: ports.gateway,
      env,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    stops.push(() => gateway.close());
    const orders = await startDemoOrdersApp({
      port: ports.orders,
      gatewayUrl: gateway.url,
      routeHost: 'orders.localhost',
    });
    stops.push(() => orders.stop());
    return { gateway, oidcIssuer: oidc.issuer, samlUrl: saml.url, ordersUrl: orders.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
