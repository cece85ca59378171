import type { GatewayConfig } from '../config/index.js';
import type { ScopeAllowList } from '../sigv4/index.js';
import type { RouteTable } from './route-table.js';
import type { TrustedProxies } from './trusted-proxies.js';

/**
 * The configuration the authorizer answers with, compiled once per configuration by the gateway state
 * (src/gateway-state/) and read whole on every request, so a reload never mixes old routes with new proxies.
 */
export interface AuthorizerRouting {
  readonly config: GatewayConfig;
  readonly routes: RouteTable;
  readonly proxies: TrustedProxies;
  /** The SigV4 credential-scope allow-list (config `sigv4`). */
  readonly scopes: ScopeAllowList;
}
