import type { RevocationEvent, SessionService } from '../sessions/index.js';
import type { Store } from '../store/index.js';

/** Options of ExchangeLineage. */
export interface ExchangeLineageOptions {
  readonly store: Store;
  readonly sessions: Pick<SessionService, 'revokeSession' | 'onRevocation'>;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** A cascade that failed (the store was down); the revocation itself already happened. */
  readonly onError?: (error: unknown) => void;
}

/** The set of sessions exchanged from one session. */
export function exchangedChildrenKey(parentSessionId: string): string {
  return `token-exchange:children:${encodeURIComponent(parentSessionId)}`;
}

/** An exchange chain cannot be deeper than this; the cascade stops there rather than loop. */
const MAX_CASCADE_DEPTH = 16;

/**
 * Which sessions were exchanged from which, so that revoking a session also revokes the tokens exchanged
 * from it (and theirs, recursively). Role, subject and portal revocations already cover exchanged tokens,
 * which keep the subject's role, federated subject and portal session; only single-session revocation needs
 * this cascade. It runs on every instance that hears the revocation (pub/sub), idempotently.
 */
export class ExchangeLineage {
  readonly #store: Store;
  readonly #sessions: ExchangeLineageOptions['sessions'];
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;

  constructor(options: ExchangeLineageOptions) {
    this.#store = options.store;
    this.#sessions = options.sessions;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
  }

  /** Records that `childId` was exchanged from `parentId`; kept until the parent expires (`expiresAt`, epoch s). */
  async record(parentId: string, childId: string, expiresAt: number): Promise<void> {
    const ttlMs = Math.max(1000, expiresAt * 1000 - this.#now());
    await this.#store.addToSet(exchangedChildrenKey(parentId), childId, ttlMs);
  }

  /** Revokes every session exchanged from `parentId`, recursively; returns how many were live. */
  async revokeDescendants(parentId: string, depth = 0): Promise<number> {
    if (depth >= MAX_CASCADE_DEPTH) return 0;
    const key = exchangedChildrenKey(parentId);
    const children = await this.#store.setMembers(key);
    let revoked = 0;
    for (const child of children) {
      if (await this.#sessions.revokeSession(child)) revoked += 1;
      revoked += await this.revokeDescendants(child, depth + 1);
      await this.#store.removeFromSet(key, child);
    }
    return revoked;
  }

  /** Cascades every single-session revocation heard on the revocation channel; returns the unsubscribe. */
  watch(): () => void {
    return this.#sessions.onRevocation((event: RevocationEvent) => {
      if (event.kind !== 'session') return;
      this.revokeDescendants(event.id).catch(this.#onError);
    });
  }
}
