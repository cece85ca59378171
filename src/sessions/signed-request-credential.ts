import { isFedgateError } from '../errors/index.js';
import {
  checkRequestTime,
  checkScopeAllowed,
  DEFAULT_CLOCK_SKEW_SECONDS,
  parseSignature,
  SigningKeyCache,
  verifyHmacSignature,
  type PathCanonicalisation,
  type PayloadHashes,
  type ScopeAllowList,
  type SigV4RefusalReason,
  type SignableRequest,
  type SignatureParameters,
} from '../sigv4/index.js';
import type { RoleSession } from './role-session.js';

/**
 * Why a SigV4-signed request does not authenticate as a role session, with AWS's error codes:
 * the signature's own faults (`IncompleteSignature`, `SignatureDoesNotMatch`, `RequestExpired`), no signature at
 * all (`MissingAuthenticationToken`), a session token or access key fedgate does not know or that was revoked
 * (`InvalidClientTokenId`), or an expired session (`ExpiredToken`).
 */
export type SignedCredentialRefusalReason =
  SigV4RefusalReason | 'MissingAuthenticationToken' | 'InvalidClientTokenId' | 'ExpiredToken';

/** What a session token resolves to: the live session, with whatever the resolver keeps beside it. */
export interface VerifiedToken {
  readonly session: RoleSession;
}

/** The outcome of authenticating a signed request: the live session and the signature, or a refusal. */
export type SignedCredentialResult<V extends VerifiedToken = VerifiedToken> =
  | {
      readonly ok: true;
      readonly session: RoleSession;
      /** What `verifyToken` returned (the authorizer's cache entry, with its memo). */
      readonly verified: V;
      readonly signature: SignatureParameters;
    }
  | { readonly ok: false; readonly reason: SignedCredentialRefusalReason; readonly message: string };

/** What the verifier needs from the session service (or the authorizer's verified-session cache). */
export interface SignedRequestVerifierOptions<V extends VerifiedToken = VerifiedToken> {
  /**
   * The live session of a session token (synchronously when the caller has it cached); throws or rejects with
   * ExpiredToken / InvalidToken / StoreUnavailable.
   */
  readonly verifyToken: (token: string) => V | Promise<V>;
  /** The session's secret access key (`SessionService.secretAccessKeyOf`). */
  readonly secretOf: (session: RoleSession) => string | undefined;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Regions and services accepted in a credential scope (read per request, so reloads apply). */
  readonly allow?: () => ScopeAllowList;
  readonly skewSeconds?: number;
  /** Shared derived-key cache; default a private one. */
  readonly cache?: SigningKeyCache;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

/** An expired or unknown session token is refused; anything else (StoreUnavailable) is thrown on. */
function tokenRefusal(error: unknown): {
  readonly ok: false;
  readonly reason: SignedCredentialRefusalReason;
  readonly message: string;
} {
  if (isFedgateError(error) && error.code === 'ExpiredToken') return refuse('ExpiredToken', EXPIRED_TOKEN);
  if (isFedgateError(error) && error.code === 'InvalidToken')
    return refuse('InvalidClientTokenId', INVALID_TOKEN);
  throw error;
}

function refuse(
  reason: SignedCredentialRefusalReason,
  message: string,
): { readonly ok: false; readonly reason: SignedCredentialRefusalReason; readonly message: string } {
  return { ok: false, reason, message };
}

/**
 * Authenticates a request signed with AWS4-HMAC-SHA256 by a fedgate credential (access key id, secret access
 * key, session token), in the header form or as a presigned URL. The session token (`X-Amz-Security-Token`)
 * names the session, whose access key id must be the signature's; the signature is checked with the session's
 * secret, through a cache of derived signing keys. The store being down throws StoreUnavailable (fail closed).
 */
export class SignedRequestVerifier<V extends VerifiedToken = VerifiedToken> {
  readonly #options: SignedRequestVerifierOptions<V>;
  readonly #cache: SigningKeyCache;

  constructor(options: SignedRequestVerifierOptions<V>) {
    this.#options = options;
    this.#cache = options.cache ?? new SigningKeyCache();
  }

  /** True when the request carries an AWS4 signature in either form (a cheap look, nothing verified). */
  static isSigned(request: SignableRequest): boolean {
    const auth = request.header('authorization');
    if (auth?.[0]?.trimStart().startsWith('AWS4-') === true) return true;
    return request.query.includes('X-Amz-Algorithm=');
  }

  /** Authenticates `request`; `payload` says which payload hashes the signature may cover. */
  async verify(
    request: SignableRequest,
    payload: PayloadHashes,
    pathCanonicalisation?: PathCanonicalisation,
  ): Promise<SignedCredentialResult<V>> {
    const parsed = parseSignature(request);
    if (parsed.ok === 'absent')
      return refuse('MissingAuthenticationToken', 'Request is missing Authentication Token');
    if (!parsed.ok) return parsed;
    return this.verifyParsed(request, parsed.value, payload, pathCanonicalisation);
  }

  /** Authenticates `request` whose signature parameters were already parsed (`parseSignature`). */
  async verifyParsed(
    request: SignableRequest,
    params: SignatureParameters,
    payload: PayloadHashes,
    pathCanonicalisation?: PathCanonicalisation,
  ): Promise<SignedCredentialResult<V>> {
    return this.verifyParsedNow(request, params, payload, pathCanonicalisation);
  }

  /**
   * As verifyParsed, but answered synchronously when the session token resolves synchronously (a cached
   * session: the authorizer's hot path); may then also throw StoreUnavailable synchronously.
   */
  verifyParsedNow(
    request: SignableRequest,
    params: SignatureParameters,
    payload: PayloadHashes,
    pathCanonicalisation?: PathCanonicalisation,
  ): SignedCredentialResult<V> | Promise<SignedCredentialResult<V>> {
    const scopeRefusal = checkScopeAllowed(params, this.#options.allow?.() ?? {});
    if (scopeRefusal !== undefined) return scopeRefusal;
    const timeRefusal = checkRequestTime(
      params,
      Math.floor(this.#options.now() / 1000),
      this.#options.skewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
    );
    if (timeRefusal !== undefined) return timeRefusal;
    if (params.securityToken === undefined || params.securityToken === '')
      return refuse('InvalidClientTokenId', INVALID_TOKEN);

    let found: V | Promise<V>;
    try {
      found = this.#options.verifyToken(params.securityToken);
    } catch (error) {
      return tokenRefusal(error);
    }
    return found instanceof Promise
      ? found.then(
          (verified) => this.#checkSignature(request, params, payload, pathCanonicalisation, verified),
          tokenRefusal,
        )
      : this.#checkSignature(request, params, payload, pathCanonicalisation, found);
  }

  /** The signature checked with the verified session's secret (through the derived-key cache). */
  #checkSignature(
    request: SignableRequest,
    params: SignatureParameters,
    payload: PayloadHashes,
    pathCanonicalisation: PathCanonicalisation | undefined,
    verified: V,
  ): SignedCredentialResult<V> {
    const { session } = verified;
    if (session.accessKeyId !== params.scope.keyId) return refuse('InvalidClientTokenId', INVALID_TOKEN);
    let missingSecret = false;
    const signingKey = this.#cache.get(params.scope, () => {
      const secret = this.#options.secretOf(session);
      if (secret === undefined) missingSecret = true;
      return secret ?? '';
    });
    if (missingSecret) {
      this.#cache.forget(params.scope.keyId);
      return refuse('InvalidClientTokenId', INVALID_TOKEN);
    }
    const refusal = verifyHmacSignature(request, params, signingKey, payload, pathCanonicalisation);
    if (refusal !== undefined) return refusal;
    return { ok: true, session, verified, signature: params };
  }

  /** Drops derived keys of an access key (e.g. on revocation; the session lookup refuses it anyway). */
  forget(accessKeyId: string): void {
    this.#cache.forget(accessKeyId);
  }
}
