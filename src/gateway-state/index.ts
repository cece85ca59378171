export { compileAuthorizerRouting } from './authorizer-routing.js';
export { compileGatewayState } from './gateway-state.js';
export type { GatewayState, GatewayStateDeps } from './gateway-state.js';
export { LiveGatewayState } from './live-gateway-state.js';
export { watchGatewayConfig } from './watch-gateway-config.js';
export type { WatchGatewayConfigOptions } from './watch-gateway-config.js';
