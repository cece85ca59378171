import type { GatewayConfig } from '../config/index.js';
import { compileGatewayState, type GatewayState, type GatewayStateDeps } from './gateway-state.js';

/**
 * The gateway state in force. Every service reads `current()` per request, so a reload applies at once and a
 * request sees one state from start to end of each read; `apply` compiles the whole new state before swapping it in.
 */
export class LiveGatewayState {
  readonly #deps: GatewayStateDeps;
  #state: GatewayState;
  #closed = false;

  private constructor(state: GatewayState, deps: GatewayStateDeps) {
    this.#state = state;
    this.#deps = deps;
  }

  /** Compiles the starting state of a configuration. */
  static async open(config: GatewayConfig, deps: GatewayStateDeps): Promise<LiveGatewayState> {
    return new LiveGatewayState(await compileGatewayState(config, deps), deps);
  }

  /** The state in force. */
  current(): GatewayState {
    return this.#state;
  }

  /**
   * Compiles `next` and swaps it in, then closes the replaced providers and anchors. Throws (the state in force
   * stays) when any part fails to compile.
   */
  async apply(next: GatewayConfig): Promise<GatewayState> {
    const compiled = await compileGatewayState(next, this.#deps, this.#state);
    if (this.#closed) {
      closeState(compiled);
      return this.#state;
    }
    const previous = this.#state;
    this.#state = compiled;
    closeState(previous);
    return compiled;
  }

  /** Stops the current state's background work (OIDC and SAML metadata, CRL refreshes). */
  close(): void {
    this.#closed = true;
    closeState(this.#state);
  }
}

function closeState(state: GatewayState): void {
  state.providers.close();
  state.anchors.close();
}
