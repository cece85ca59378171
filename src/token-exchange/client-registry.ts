import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from 'jose';
import type { ClientConfig } from '../config/index.js';
import { FedgateError } from '../errors/index.js';
import { DEFAULT_SESSION_AUDIENCE } from '../sessions/index.js';
import type { Store } from '../store/index.js';
import { verifyClientAssertion } from './client-assertion.js';
import type { ClientAuthMethod, ClientCredentials } from './client-credentials.js';
import { HashedClientSecret, UNKNOWN_CLIENT_SECRET } from './client-secret.js';
import { OAuthError, type OAuthRefusalReason } from './oauth-error.js';

/** An application allowed to use token exchange, as the exchange pipeline sees it (no secret, no keys). */
export interface RegisteredClient {
  readonly id: string;
  /** The audiences it may request tokens for. */
  readonly audiences: readonly string[];
  /** The scopes it may request; undefined: none. */
  readonly scopes?: readonly string[];
  readonly authMethods: readonly ClientAuthMethod[];
}

/** What the registry needs besides the configured clients. */
export interface ClientRegistryOptions {
  readonly store: Store;
  /** `publicUrl`: accepted as a client assertion `aud`, as is `<publicUrl>/oauth2/token`. */
  readonly issuer: string;
  /** Epoch milliseconds. */
  readonly now?: () => number;
  /** For `jwksUri` clients; tests inject a loopback-only fetch. */
  readonly fetch?: typeof fetch;
}

/** How long a client's jwks_uri may take, and how often an unknown kid may refetch it. */
const CLIENT_JWKS_TIMEOUT_MS = 5_000;
const CLIENT_JWKS_COOLDOWN_MS = 30_000;
const CLIENT_JWKS_MAX_AGE_MS = 10 * 60 * 1000;

interface ClientEntry {
  readonly client: RegisteredClient;
  readonly secret?: HashedClientSecret;
  readonly keys?: JWTVerifyGetKey;
}

/**
 * The clients of one configuration (`clients`): secrets are kept only as keyed digests, public keys as jose key
 * sets (a remote JWKS is fetched lazily, with a timeout, and cached). Built again on each configuration reload.
 */
export class ClientRegistry {
  readonly #entries: ReadonlyMap<string, ClientEntry>;
  readonly #store: Store;
  readonly #audiences: readonly string[];
  readonly #now: () => number;

  private constructor(entries: ReadonlyMap<string, ClientEntry>, options: ClientRegistryOptions) {
    this.#entries = entries;
    this.#store = options.store;
    const issuer = options.issuer.replace(/\/+$/, '');
    this.#audiences = [`${issuer}/oauth2/token`, issuer];
    this.#now = options.now ?? Date.now;
  }

  /**
   * Loads the configured clients. InvalidConfiguration for a duplicate id, a client with no way to authenticate,
   * private or symmetric keys in a JWKS, or `fedgate` (the gateway's own audience) among its audiences.
   */
  static fromConfig(clients: readonly ClientConfig[], options: ClientRegistryOptions): ClientRegistry {
    const entries = new Map<string, ClientEntry>();
    for (const [index, config] of clients.entries()) {
      const path = `clients[${index}]`;
      if (entries.has(config.id)) throw invalidConfig(`${path}.id`, `client id ${config.id} is used twice`);
      if (config.audiences.includes(DEFAULT_SESSION_AUDIENCE))
        throw invalidConfig(
          `${path}.audiences`,
          `"${DEFAULT_SESSION_AUDIENCE}" is the gateway's own audience`,
        );
      const methods: ClientAuthMethod[] = [];
      if (config.secret !== undefined) methods.push('client_secret_basic', 'client_secret_post');
      if (config.jwks !== undefined && config.jwksUri !== undefined)
        throw invalidConfig(path, 'give either jwks or jwksUri, not both');
      const keys = keySetOf(config, path, options);
      if (keys !== undefined) methods.push('private_key_jwt');
      if (methods.length === 0) throw invalidConfig(path, 'a client needs a secret, jwks or jwksUri');
      entries.set(config.id, {
        client: Object.freeze({
          id: config.id,
          audiences: Object.freeze([...config.audiences]),
          ...(config.scopes === undefined ? {} : { scopes: Object.freeze([...config.scopes]) }),
          authMethods: Object.freeze(methods),
        }),
        ...(config.secret === undefined ? {} : { secret: HashedClientSecret.from(config.secret) }),
        ...(keys === undefined ? {} : { keys }),
      });
    }
    return new ClientRegistry(entries, options);
  }

  /** The client with this id, if configured. */
  get(id: string): RegisteredClient | undefined {
    return this.#entries.get(id)?.client;
  }

  /**
   * The client the credentials prove: `invalid_client` for an unknown client, a wrong secret, a method the client
   * is not registered for, or a client assertion that does not verify or was used before.
   */
  async authenticate(credentials: ClientCredentials): Promise<RegisteredClient> {
    if (credentials.method === 'private_key_jwt') return this.#authenticateAssertion(credentials);
    const entry = this.#entries.get(credentials.clientId);
    // Compared even for an unknown client: answering faster would tell which client ids exist.
    const matches = (entry?.secret ?? UNKNOWN_CLIENT_SECRET).matches(credentials.secret);
    if (entry === undefined) throw refused('UnknownClient');
    if (entry.secret === undefined) throw refused('AuthMethodNotRegistered');
    if (!matches) throw refused('WrongClientSecret');
    return entry.client;
  }

  async #authenticateAssertion(credentials: {
    readonly clientId?: string;
    readonly assertion: string;
  }): Promise<RegisteredClient> {
    let issuer: unknown;
    try {
      issuer = decodeJwt(credentials.assertion).iss;
    } catch {
      throw refused('MalformedClientAssertion');
    }
    const clientId = credentials.clientId ?? issuer;
    if (typeof clientId !== 'string' || clientId === '') throw refused('MalformedClientAssertion');
    const entry = this.#entries.get(clientId);
    if (entry === undefined) throw refused('UnknownClient');
    if (entry.keys === undefined) throw refused('AuthMethodNotRegistered');
    // iss = sub = client id is checked by the verification, so a body client_id cannot name another client.
    await verifyClientAssertion(credentials.assertion, {
      clientId,
      keys: entry.keys,
      audiences: this.#audiences,
      store: this.#store,
      now: this.#now(),
    });
    return entry.client;
  }
}

function keySetOf(
  config: ClientConfig,
  path: string,
  options: ClientRegistryOptions,
): JWTVerifyGetKey | undefined {
  if (config.jwks !== undefined) {
    for (const [index, key] of config.jwks.keys.entries()) {
      if (key['kty'] === 'oct')
        throw invalidConfig(`${path}.jwks.keys[${index}]`, 'symmetric keys are not accepted');
      if ('d' in key)
        throw invalidConfig(`${path}.jwks.keys[${index}]`, 'a private key does not belong here');
    }
    return createLocalJWKSet(structuredClone(config.jwks) as unknown as JSONWebKeySet);
  }
  if (config.jwksUri !== undefined) {
    const fetchImpl = options.fetch;
    return createRemoteJWKSet(new URL(config.jwksUri), {
      timeoutDuration: CLIENT_JWKS_TIMEOUT_MS,
      cooldownDuration: CLIENT_JWKS_COOLDOWN_MS,
      cacheMaxAge: CLIENT_JWKS_MAX_AGE_MS,
      ...(fetchImpl === undefined
        ? {}
        : { [customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init) }),
    });
  }
  return undefined;
}

function invalidConfig(path: string, message: string): FedgateError {
  return new FedgateError('InvalidConfiguration', `${path}: ${message}`);
}

function refused(reason: OAuthRefusalReason): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed.', { reason });
}
