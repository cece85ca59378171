import type { AuthorizerRouting } from '../authorizer/index.js';
import type { GatewayConfig } from '../config/index.js';
import { ProviderRegistry } from '../identity-providers/provider-registry.js';
import { PolicyCatalog } from '../roles/index.js';
import { TrustAnchorRegistry, type TrustAnchorRegistryOptions } from '../roles-anywhere/index.js';
import type { Store } from '../store/index.js';
import { ClientRegistry } from '../token-exchange/index.js';
import { compileAuthorizerRouting } from './authorizer-routing.js';

/** The configuration in force and everything compiled from it; replaced as a whole on reload. */
export interface GatewayState {
  readonly config: GatewayConfig;
  readonly catalog: PolicyCatalog;
  readonly providers: ProviderRegistry;
  readonly clients: ClientRegistry;
  /** Roles Anywhere trust anchors with their CRLs (refreshed on their interval). */
  readonly anchors: TrustAnchorRegistry;
  /** The authorizer's routes, trusted proxies and SigV4 scopes. */
  readonly routing: AuthorizerRouting;
}

/** What compiling a configuration needs from the running gateway. */
export interface GatewayStateDeps {
  readonly store: Store;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** CRL refresh callbacks of every trust anchor registry built. */
  readonly anchors: TrustAnchorRegistryOptions;
}

/**
 * Compiles a whole state from a configuration: policies, the authorizer's routes, token-exchange clients, identity providers, then the
 * trust anchors with their CRLs loaded (starting from the previous state's copies). Throws on the first part
 * that does not compile, after closing the parts already built, so a bad change never half-applies.
 */
export async function compileGatewayState(
  config: GatewayConfig,
  deps: GatewayStateDeps,
  previous?: GatewayState,
): Promise<GatewayState> {
  const { store, now } = deps;
  const catalog = PolicyCatalog.fromConfig(config);
  const routing = compileAuthorizerRouting(config);
  const clients = ClientRegistry.fromConfig(config.clients, { store, issuer: config.publicUrl, now });
  const providers = await ProviderRegistry.fromConfig(config, { store, now });
  const anchors = new TrustAnchorRegistry(config.trustAnchors, deps.anchors, previous?.anchors);
  try {
    await anchors.start();
  } catch (error) {
    anchors.close();
    providers.close();
    throw error;
  }
  return { config, catalog, providers, clients, anchors, routing };
}
