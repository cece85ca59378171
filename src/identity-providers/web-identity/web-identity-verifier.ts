import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { VerifiedWebIdentity } from '../../federation/federated-identity.js';
import type { Store } from '../../store/index.js';
import { claimsToIdentity } from '../oidc/index.js';
import { IssuerKeySet, JWKS_REFETCH_COOLDOWN_MS } from './issuer-key-set.js';
import { translateJoseError, webIdentityError } from './web-identity-errors.js';
import { assertWebIdentityProviderOptions } from './web-identity-provider-options.js';
import type { WebIdentityProviderOptions } from './web-identity-provider-options.js';

/** Allowed clock difference with the issuer for `exp`, `nbf` and `iat`, seconds. */
export const WEB_IDENTITY_CLOCK_SKEW_SECONDS = 60;

/** Longer inputs are refused before any parsing (a JWT from a real IdP is a few KB). */
const MAX_TOKEN_LENGTH = 16 * 1024;

/** Dependencies of the verifier. */
export interface WebIdentityVerifierDeps {
  readonly store: Store;
  /** Epoch milliseconds; defaults to Date.now. */
  readonly now?: () => number;
  /** For discovery and JWKS requests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Minimum time between JWKS refetches caused by unknown `kid`s; defaults to JWKS_REFETCH_COOLDOWN_MS. */
  readonly jwksCooldownMs?: number;
}

interface Provider {
  readonly options: WebIdentityProviderOptions;
  readonly keys: IssuerKeySet;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

function audiencesOf(payload: JWTPayload): string[] {
  if (typeof payload.aud === 'string') return [payload.aud];
  return Array.isArray(payload.aud)
    ? payload.aud.filter((aud): aud is string => typeof aud === 'string')
    : [];
}

/**
 * Verifies JWTs from configured OIDC issuers for AssumeRoleWithWebIdentity and token exchange (SPEC 4.3,
 * 8): the provider is chosen by the token's `iss` (an unverified peek, used only to pick the keys), then the
 * signature is checked against that issuer's JWKS with an allow-listed asymmetric `alg`, `aud` against the
 * provider's audiences, `exp`/`nbf`/`iat` with 60 s of skew, and optionally `jti` single use.
 */
export class WebIdentityVerifier {
  readonly #providers: readonly Provider[];
  readonly #store: Store;
  readonly #now: () => number;

  constructor(providers: readonly WebIdentityProviderOptions[], deps: WebIdentityVerifierDeps) {
    const fetchImpl = deps.fetch ?? globalThis.fetch;
    const cooldownMs = deps.jwksCooldownMs ?? JWKS_REFETCH_COOLDOWN_MS;
    const keySets = new Map<string, IssuerKeySet>();
    this.#providers = providers.map((options) => {
      assertWebIdentityProviderOptions(options);
      // Providers sharing an issuer (different audiences or mappings) share one JWKS cache.
      const cacheKey = `${options.issuer} ${options.jwksUri ?? ''}`;
      let keys = keySets.get(cacheKey);
      if (keys === undefined) {
        keys = new IssuerKeySet({
          issuer: options.issuer,
          jwksUri: options.jwksUri,
          fetch: fetchImpl,
          cooldownMs,
        });
        keySets.set(cacheKey, keys);
      }
      return {
        options: {
          ...options,
          audiences: [...options.audiences],
          allowedAlgorithms: [...options.allowedAlgorithms],
        },
        keys,
      };
    });
    this.#store = deps.store;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * The federated identity a token proves, with the token's expiry. Refusals are FedgateError('InvalidIdentityToken') or
   * ('ExpiredToken') with a stable `reason` (see WebIdentityFailureReason); an unreachable
   * issuer is ('ServiceUnavailable').
   */
  async verify(token: string): Promise<VerifiedWebIdentity> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw webIdentityError('malformed');
    }
    let peeked: JWTPayload;
    let alg: string | undefined;
    try {
      peeked = decodeJwt(token);
      alg = decodeProtectedHeader(token).alg;
    } catch (error) {
      throw webIdentityError('malformed', error);
    }

    const candidates = this.#providers.filter((provider) => provider.options.issuer === peeked.iss);
    if (candidates.length === 0) throw webIdentityError('unknown-issuer');
    const tokenAudiences = audiencesOf(peeked);
    const provider = candidates.find((candidate) =>
      candidate.options.audiences.some((audience) => tokenAudiences.includes(audience)),
    );
    if (provider === undefined) throw webIdentityError('bad-audience');
    const { options } = provider;
    if (alg === undefined || !options.allowedAlgorithms.includes(alg))
      throw webIdentityError('alg-not-allowed');

    const nowMs = this.#now();
    const nowSeconds = Math.floor(nowMs / 1000);
    let payload: JWTPayload & { readonly exp: number };
    try {
      const keys = await provider.keys.resolver();
      // `requiredClaims: ['exp']` makes jose refuse a token without a numeric `exp`.
      ({ payload } = await jwtVerify<{ readonly exp: number }>(token, keys, {
        issuer: options.issuer,
        audience: options.audiences,
        algorithms: options.allowedAlgorithms,
        clockTolerance: WEB_IDENTITY_CLOCK_SKEW_SECONDS,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw translateJoseError(error);
    }
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + WEB_IDENTITY_CLOCK_SKEW_SECONDS) {
      throw webIdentityError('not-yet-valid');
    }
    const audience = options.audiences.find((candidate) => audiencesOf(payload).includes(candidate)) ?? '';

    const identity = claimsToIdentity({
      provider: options.id,
      issuer: options.issuer,
      audience,
      claims: payload as Record<string, unknown>,
      mappings: {
        subject: options.subject,
        groups: options.groups,
        sessionName: options.sessionName,
        tags: options.tags,
      },
      nowSeconds,
      rejectAs: 'InvalidIdentityToken',
    });

    if (options.replayProtection) await this.#consumeJti(options.id, payload, nowMs);
    return { ...identity, expiresAt: payload.exp };
  }

  /** Marks the `jti` used until the token could no longer be accepted anyway (its `exp` plus the skew). */
  async #consumeJti(
    providerId: string,
    payload: JWTPayload & { readonly exp: number },
    nowMs: number,
  ): Promise<void> {
    if (typeof payload.jti !== 'string' || payload.jti === '') throw webIdentityError('missing-jti');
    const ttlMs = Math.max(1000, (payload.exp + WEB_IDENTITY_CLOCK_SKEW_SECONDS) * 1000 - nowMs);
    const first = await this.#store.setIfAbsent(`webid:jti:${providerId}:${sha256(payload.jti)}`, '1', ttlMs);
    if (!first) throw webIdentityError('replayed');
  }
}
