import { createRemoteJWKSet, customFetch } from 'jose';
import type { JWSHeaderParameters, FlattenedJWSInput, CryptoKey } from 'jose';
import { FedgateError } from '../../errors/index.js';
import type { WebIdentityRefusalReason } from './web-identity-errors.js';
import { assertIssuerUrl } from '../oidc/index.js';

/** Milliseconds a discovery or JWKS request may take. */
export const WEB_IDENTITY_HTTP_TIMEOUT_MS = 10_000;

/** Minimum time between two JWKS fetches caused by unknown `kid`s: a flood of forged kids cannot hammer the IdP. */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;

/** How long a fetched JWKS is used before it is fetched again anyway. */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60 * 1000;

/** The key resolver jwtVerify takes. */
export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** Options of an issuer's key set. */
export interface IssuerKeySetOptions {
  readonly issuer: string;
  readonly jwksUri?: string | undefined;
  readonly fetch: typeof fetch;
  readonly cooldownMs: number;
}

function unreachable(reason: WebIdentityRefusalReason, cause?: unknown): FedgateError {
  return new FedgateError('ServiceUnavailable', 'The identity provider cannot be reached.', {
    reason,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The signing keys of one issuer: `jwks_uri` from configuration or from its discovery document (whose
 * `issuer` must match), then a remote JWKS that is cached, refetched on an unknown `kid` at most once per
 * cooldown, and fetched with a timeout. A failed discovery is retried on the next token.
 */
export class IssuerKeySet {
  readonly #options: IssuerKeySetOptions;
  #resolver: Promise<KeyResolver> | undefined;

  constructor(options: IssuerKeySetOptions) {
    this.#options = options;
  }

  /** The resolver for jwtVerify; rejects with ServiceUnavailable when discovery fails. */
  resolver(): Promise<KeyResolver> {
    this.#resolver ??= this.#build().catch((error: unknown) => {
      this.#resolver = undefined;
      throw error;
    });
    return this.#resolver;
  }

  async #build(): Promise<KeyResolver> {
    const jwksUri = this.#options.jwksUri ?? (await this.#discoverJwksUri());
    return createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: WEB_IDENTITY_HTTP_TIMEOUT_MS,
      cooldownDuration: this.#options.cooldownMs,
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
      [customFetch]: (url, init) => this.#options.fetch(url, init),
    });
  }

  async #discoverJwksUri(): Promise<string> {
    const { issuer } = this.#options;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let document: unknown;
    try {
      const response = await this.#options.fetch(url, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(WEB_IDENTITY_HTTP_TIMEOUT_MS),
      });
      if (response.status !== 200) throw new Error(`discovery answered HTTP ${response.status}`);
      document = await response.json();
    } catch (error) {
      throw unreachable('discovery-failed', error);
    }
    const metadata = (typeof document === 'object' && document !== null ? document : {}) as Record<
      string,
      unknown
    >;
    // OIDC Discovery 4.3: a document for another issuer must not be used (it would let that issuer's keys in).
    if (metadata['issuer'] !== issuer) throw unreachable('discovery-issuer-mismatch');
    const jwksUri = metadata['jwks_uri'];
    if (typeof jwksUri !== 'string') throw unreachable('discovery-without-jwks-uri');
    try {
      assertIssuerUrl(jwksUri, 'jwks_uri');
    } catch (error) {
      throw unreachable('discovery-insecure-jwks-uri', error);
    }
    return jwksUri;
  }
}
