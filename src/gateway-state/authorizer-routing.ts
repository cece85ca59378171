import { RouteTable, TrustedProxies, type AuthorizerRouting } from '../authorizer/index.js';
import type { GatewayConfig } from '../config/index.js';
import { scopeAllowListOf } from '../sigv4/index.js';

/**
 * Compiles what the authorizer answers with: the routes, the trusted proxies and the SigV4 scope allow-list.
 * Throws TypeError for a route the configuration schema should have refused.
 */
export function compileAuthorizerRouting(config: GatewayConfig): AuthorizerRouting {
  return {
    config,
    routes: new RouteTable(config.routes),
    proxies: new TrustedProxies(config.trustProxies),
    scopes: scopeAllowListOf(config.sigv4),
  };
}
