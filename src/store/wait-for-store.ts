import { FedgateError, isFedgateError } from '../errors/index.js';

/** Options of waitForStore. */
export interface WaitForStoreOptions {
  /** Give up after this long (ms); 0 tries once. */
  readonly timeoutMs: number;
  /** Where the store is, for the final error (no credentials). */
  readonly address: string;
  /** Each failed attempt, before the pause (for a log line naming the address). */
  readonly onRetry?: (attempt: number, delayMs: number, error: FedgateError) => void;
  readonly now?: () => number;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/**
 * Runs `attempt` until it succeeds, retrying with exponential backoff (250 ms doubling to 5 s) while it
 * fails with StoreUnavailable, for at most `timeoutMs`; then StoreUnavailable naming the address. Any
 * other error (a wrong key-encryption key, a bad configuration) is final at once.
 */
export async function waitForStore<T>(attempt: () => Promise<T>, options: WaitForStoreOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isFedgateError(error) || error.code !== 'StoreUnavailable') throw error;
      const delayMs = Math.min(FIRST_DELAY_MS * 2 ** (tries - 1), MAX_DELAY_MS);
      const left = deadline - now();
      if (left <= 0)
        throw new FedgateError(
          'StoreUnavailable',
          `The store (${options.address}) was not reachable within ${Math.round(options.timeoutMs / 1000)} s of start-up (store.startupTimeout).`,
          { internal: error.internal ?? error.detail },
        );
      options.onRetry?.(tries, Math.min(delayMs, left), error);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, left)));
    }
  }
}
