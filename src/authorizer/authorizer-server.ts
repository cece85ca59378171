import { listen, type RunningServer } from '../http/index.js';
import type { Authorizer } from './create-authorizer.js';

/**
 * Serves the authorizer on its own bare node:http listener (`authorizer.listen`): no Express, no
 * middleware chain, nothing but the hot path.
 */
export function startAuthorizerServer(
  authorizer: Authorizer,
  address: { readonly host: string; readonly port: number },
): Promise<RunningServer> {
  return listen((req, res) => authorizer.handle(req, res), address.host, address.port);
}
