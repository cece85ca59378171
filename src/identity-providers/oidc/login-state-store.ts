import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/index.js';

/** How long a started login may take before its state expires. */
export const LOGIN_STATE_TTL_MS = 10 * 60 * 1000;

/** What a started login keeps until its callback; never leaves the server. */
export interface PendingLogin {
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo?: string;
}

/** Why a callback's state was refused. */
export type TakeLoginFailure = 'state-mismatch' | 'state-replayed';

/** The outcome of taking a pending login: the login, or why there is none. */
export type TakeLoginResult =
  | { readonly ok: true; readonly login: PendingLogin }
  | { readonly ok: false; readonly reason: TakeLoginFailure };

interface StoredLogin extends PendingLogin {
  /** SHA-256 of the browser binding: the store never holds the cookie value itself. */
  readonly binding: string;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A fresh opaque value for the browser-binding cookie. */
export function newBrowserBinding(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Pending OIDC logins in the store, keyed by a hash of `state`, bound to the browser that started them and
 * usable once. A used state leaves a marker so a replay is told apart from a state that never existed.
 */
export class LoginStateStore {
  readonly #store: Store;
  readonly #provider: string;

  constructor(store: Store, provider: string) {
    this.#store = store;
    this.#provider = provider;
  }

  #key(kind: 'pending' | 'used', state: string): string {
    return `oidc:${kind}:${this.#provider}:${sha256(state)}`;
  }

  /** Remembers a started login under its state, bound to the browser binding. */
  async save(state: string, browserBinding: string, login: PendingLogin): Promise<void> {
    const record: StoredLogin = { ...login, binding: sha256(browserBinding) };
    await this.#store.set(this.#key('pending', state), JSON.stringify(record), LOGIN_STATE_TTL_MS);
  }

  /**
   * Consumes the pending login for `state` if it was started by this browser. A callback from another
   * browser leaves the login in place (an attacker holding a stolen callback URL cannot burn it).
   */
  async take(state: string, browserBinding: string): Promise<TakeLoginResult> {
    const pendingKey = this.#key('pending', state);
    const raw = await this.#store.get(pendingKey);
    if (raw === undefined) {
      const used = await this.#store.get(this.#key('used', state));
      return { ok: false, reason: used === undefined ? 'state-mismatch' : 'state-replayed' };
    }
    const record = JSON.parse(raw) as StoredLogin;
    if (!sameDigest(record.binding, sha256(browserBinding))) return { ok: false, reason: 'state-mismatch' };
    // `take` is the single-use point: of two concurrent callbacks only one gets the record.
    const taken = await this.#store.take(pendingKey);
    if (taken === undefined) return { ok: false, reason: 'state-replayed' };
    await this.#store.set(this.#key('used', state), '1', LOGIN_STATE_TTL_MS);
    const login = JSON.parse(taken) as StoredLogin;
    return {
      ok: true,
      login: {
        nonce: login.nonce,
        codeVerifier: login.codeVerifier,
        ...(login.returnTo === undefined ? {} : { returnTo: login.returnTo }),
      },
    };
  }
}
