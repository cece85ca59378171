import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../audit/index.js';
import { NAME_PATTERN } from '../catalog/names.js';
import { isFedgateError } from '../errors/index.js';
import type { FederatedIdentity } from '../federation/federated-identity.js';
import type { Store } from '../store/index.js';
import {
  isOAuthError,
  OAuthError,
  singleParameter,
  type TokenEndpointInput,
  type TokenRequestContext,
} from '../token-exchange/index.js';
import {
  deviceGrantId,
  deviceGrantKeys,
  userCodeKey,
  type DeviceDecision,
  type DeviceGrantRecord,
  type DevicePollRecord,
} from './device-grant-record.js';
import { createUserCode, displayUserCode, normaliseUserCode } from './user-code.js';

/** RFC 8628 §3.4: the grant type a device polls the token endpoint with. */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 6749 §6: the grant type that renews role credentials while the sign-in lasts. */
export const REFRESH_TOKEN_GRANT_TYPE = 'refresh_token';
/** The public client `fedgate login` and `fedgate credentials` identify as (no secret: it runs on laptops). */
export const CLI_CLIENT_ID = 'fedgate-cli';
/** The portal page where the person confirms a code. */
export const DEVICE_VERIFICATION_PATH = '/device';

/** How long a device and user code pair can be confirmed (RFC 8628 §3.2 `expires_in`). */
const DEFAULT_CODE_LIFETIME_SECONDS = 600;
/** RFC 8628 §3.2: the interval a device waits between polls; §3.5: `slow_down` adds 5 seconds to it. */
const DEFAULT_INTERVAL_SECONDS = 5;
const SLOW_DOWN_STEP_SECONDS = 5;
/** A poll arriving this much before the interval has passed is still on time (network jitter). */
const POLL_TOLERANCE_MS = 500;
/** Records stay after their logical expiry so that a late poll learns `expired_token`, not "unknown code". */
const RECORD_GRACE_FACTOR = 2;
const DEVICE_CODE = /^[A-Za-z0-9_-]{43}$/;
const SIGN_IN_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** RFC 8628 §3.2: the device authorization response. */
export interface DeviceAuthorizationResponse {
  readonly device_code: string;
  readonly user_code: string;
  readonly verification_uri: string;
  readonly verification_uri_complete: string;
  readonly expires_in: number;
  readonly interval: number;
}

/** Role credentials in the STS response shape (SPEC 4.3), what the CLI prints for `credential_process`. */
export interface RoleCredentials {
  readonly Credentials: {
    readonly AccessKeyId: string;
    readonly SecretAccessKey: string;
    readonly SessionToken: string;
    readonly Expiration: string;
  };
  readonly AssumedRoleUser: { readonly Arn: string; readonly AssumedRoleId: string };
}

/** A minted role session: its expiry in epoch seconds, and its credentials in the STS shape. */
export interface IssuedRoleCredentials {
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly response: RoleCredentials;
}

/**
 * The token endpoint's answer to a device or refresh grant: an RFC 6749 §5.1 response whose access token is the
 * role session credential, whose refresh token is the sign-in (renewing role credentials until it ends), plus the
 * AWS-shaped credentials the CLI prints for `credential_process`.
 */
export interface DeviceTokenResponse extends RoleCredentials {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token: string;
  /** Seconds until the sign-in ends and `fedgate login` is needed again. */
  readonly refresh_token_expires_in: number;
  readonly role: string;
}

/** A sign-in held by the command line: a portal session of its own, ended by logout and IdP logout like any. */
export interface DeviceSignIn {
  /** The secret (the refresh token); the store keeps only its hash. */
  readonly id: string;
  /** What the role sessions minted from it record, so they end with it. */
  readonly handle: string;
  readonly identity: FederatedIdentity;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** What the device flow needs from the composition root. */
export interface DeviceAuthorizationOptions {
  readonly store: Store;
  /** The gateway's public URL, for `verification_uri`. */
  readonly publicUrl: () => string;
  readonly signIns: {
    create(identity: FederatedIdentity, lifetimeSeconds: number): Promise<DeviceSignIn>;
    get(id: string): Promise<DeviceSignIn | undefined>;
    /** Ends a sign-in and every role session minted from it; resolves to how many role sessions were revoked. */
    end(signIn: DeviceSignIn): Promise<number>;
  };
  /** Mints a role session for an identity (the portal's own path: trust policy, duration, audit). */
  readonly assume: (input: {
    readonly identity: FederatedIdentity;
    readonly roleName: string;
    readonly portalSessionId: string;
    readonly notAfter: number;
    readonly context: { readonly sourceIp: string; readonly requestId: string };
  }) => Promise<IssuedRoleCredentials>;
  readonly audit: { record(event: AuditEvent): void };
  /** Epoch milliseconds. */
  readonly now?: () => number;
  readonly codeLifetimeSeconds?: number;
  readonly intervalSeconds?: number;
}

/** Where a request came from (the token endpoint's context). */
export type DeviceRequestContext = TokenRequestContext;

/** A code awaiting the person's answer, as the verification page shows it. */
export interface PendingDevice {
  readonly userCode: string;
  /** Epoch milliseconds. */
  readonly requestedAt: number;
  readonly sourceIp: string;
}

/** The outcome of the person's answer on the verification page. */
export type DeviceAnswerResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: 'UnknownUserCode' | 'AlreadyAnswered' };

/**
 * The OAuth 2.0 device authorization grant (RFC 8628) for `fedgate login`: the device asks for a device code and a
 * user code (§3.1, §3.2), the signed-in person confirms the user code and picks a role on the portal's
 * verification page (§3.3), and the device polls the token endpoint (§3.4) until it gets `authorization_pending`,
 * `slow_down`, `access_denied` or `expired_token` (§3.5), or the role credentials and a sign-in (refresh token)
 * that renews them while it lasts (RFC 6749 §6).
 */
export class DeviceAuthorizationService {
  readonly #options: DeviceAuthorizationOptions;
  readonly #now: () => number;
  readonly #lifetimeMs: number;
  readonly #interval: number;

  constructor(options: DeviceAuthorizationOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#lifetimeMs = (options.codeLifetimeSeconds ?? DEFAULT_CODE_LIFETIME_SECONDS) * 1000;
    this.#interval = options.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  }

  /** RFC 8628 §3.1–3.2: a new device code and user code for the CLI client. */
  async authorize(
    input: TokenEndpointInput,
    context: DeviceRequestContext = {},
  ): Promise<DeviceAuthorizationResponse> {
    return failClosed(() => this.#authorize(input, context));
  }

  async #authorize(
    input: TokenEndpointInput,
    context: DeviceRequestContext,
  ): Promise<DeviceAuthorizationResponse> {
    requireCliClient(input.body);
    const deviceCode = randomBytes(32).toString('base64url');
    const id = deviceGrantId(deviceCode);
    const keys = deviceGrantKeys(id);
    const now = this.#now();
    const ttlMs = this.#lifetimeMs * RECORD_GRACE_FACTOR;
    let userCode = createUserCode();
    // A user code is short: on the rare collision with a live one, draw another.
    for (let attempt = 0; !(await this.#options.store.setIfAbsent(userCodeKey(userCode), id, ttlMs));) {
      attempt += 1;
      if (attempt >= 5)
        throw new OAuthError('temporarily_unavailable', 'No user code is free right now; try again.', {
          reason: 'UserCodeSpaceExhausted',
        });
      userCode = createUserCode();
    }
    const record: DeviceGrantRecord = {
      clientId: CLI_CLIENT_ID,
      userCode,
      createdAt: now,
      expiresAt: now + this.#lifetimeMs,
      sourceIp: context.sourceIp ?? '',
    };
    await this.#options.store.set(keys.grant, JSON.stringify(record), ttlMs);
    const verificationUri = `${this.#options.publicUrl()}${DEVICE_VERIFICATION_PATH}`;
    return {
      device_code: deviceCode,
      user_code: displayUserCode(userCode),
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${displayUserCode(userCode)}`,
      expires_in: Math.floor(this.#lifetimeMs / 1000),
      interval: this.#interval,
    };
  }

  /** The request a typed user code stands for, while it awaits an answer; undefined otherwise. */
  async pending(typed: unknown): Promise<PendingDevice | undefined> {
    const found = await this.#byUserCode(typed);
    if (found === undefined || found.answered) return undefined;
    return {
      userCode: displayUserCode(found.record.userCode),
      requestedAt: found.record.createdAt,
      sourceIp: found.record.sourceIp,
    };
  }

  /** §3.3: the signed-in person confirms the code and picks the role the device gets. */
  async approve(input: {
    readonly userCode: unknown;
    readonly identity: FederatedIdentity;
    readonly roleName: string;
    readonly notAfter: number;
    readonly context: DeviceRequestContext;
  }): Promise<DeviceAnswerResult> {
    return this.#answer(input.userCode, input.identity, input.context, {
      decision: 'approved',
      identity: input.identity,
      roleName: input.roleName,
      notAfter: input.notAfter,
    });
  }

  /** §3.3: the person refuses; the device's next poll gets `access_denied`. */
  async deny(input: {
    readonly userCode: unknown;
    readonly identity: FederatedIdentity;
    readonly context: DeviceRequestContext;
  }): Promise<DeviceAnswerResult> {
    return this.#answer(input.userCode, input.identity, input.context, { decision: 'denied' });
  }

  /** The token endpoint's device code (RFC 8628 §3.4) and refresh token (RFC 6749 §6) grants. */
  async token(input: TokenEndpointInput, context: DeviceRequestContext = {}): Promise<DeviceTokenResponse> {
    return failClosed(() => {
      requireCliClient(input.body);
      return singleParameter(input.body, 'grant_type') === REFRESH_TOKEN_GRANT_TYPE
        ? this.#refresh(input.body, context)
        : this.#poll(input.body, context);
    });
  }

  /**
   * RFC 7009 for the public client: `fedgate logout` ends its sign-in (the refresh token) and the role sessions
   * minted from it. Anything that is not a live sign-in is not an error (§2.2).
   */
  async revoke(input: TokenEndpointInput, context: DeviceRequestContext = {}): Promise<void> {
    return failClosed(async () => {
      requireCliClient(input.body);
      const token = singleParameter(input.body, 'token');
      if (token === undefined)
        throw new OAuthError('invalid_request', 'The token parameter is required.', {
          reason: 'MissingParameter',
        });
      const signIn = SIGN_IN_TOKEN.test(token) ? await this.#options.signIns.get(token) : undefined;
      if (signIn === undefined) return;
      const revoked = await this.#options.signIns.end(signIn);
      this.#options.audit.record({
        event: 'session.revoked',
        outcome: 'success',
        provider: signIn.identity.provider,
        subject: signIn.identity.subject,
        ...(context.sourceIp === undefined ? {} : { sourceIp: context.sourceIp }),
        ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
        details: { client: CLI_CLIENT_ID, by: 'fedgate logout', revokedSessions: revoked },
      });
    });
  }

  async #poll(
    body: Readonly<Record<string, unknown>>,
    context: DeviceRequestContext,
  ): Promise<DeviceTokenResponse> {
    const deviceCode = singleParameter(body, 'device_code');
    if (deviceCode === undefined)
      throw new OAuthError('invalid_request', 'The device_code parameter is required.', {
        reason: 'MissingParameter',
      });
    if (!DEVICE_CODE.test(deviceCode)) throw unknownDeviceCode();
    const keys = deviceGrantKeys(deviceGrantId(deviceCode));
    const store = this.#options.store;
    const [rawRecord, rawDecision, rawPoll] = await store.getMany([keys.grant, keys.decision, keys.poll]);
    if (rawRecord === undefined) throw unknownDeviceCode();
    const record = JSON.parse(rawRecord) as DeviceGrantRecord;
    const now = this.#now();
    if (now >= record.expiresAt)
      throw new OAuthError('expired_token', 'The device code has expired; run fedgate login again.', {
        reason: 'DeviceCodeExpired',
      });
    const decision = rawDecision === undefined ? undefined : (JSON.parse(rawDecision) as DeviceDecision);
    if (decision === undefined) {
      const previous = rawPoll === undefined ? undefined : (JSON.parse(rawPoll) as DevicePollRecord);
      const interval = previous?.intervalSeconds ?? this.#interval;
      const tooSoon = previous !== undefined && now - previous.at < interval * 1000 - POLL_TOLERANCE_MS;
      const next: DevicePollRecord = {
        at: now,
        intervalSeconds: tooSoon ? interval + SLOW_DOWN_STEP_SECONDS : interval,
      };
      await store.set(keys.poll, JSON.stringify(next), record.expiresAt - now + this.#lifetimeMs);
      if (tooSoon)
        throw new OAuthError('slow_down', `Poll at most every ${next.intervalSeconds} seconds.`, {
          reason: 'PolledTooSoon',
        });
      throw new OAuthError('authorization_pending', 'The code has not been confirmed yet.', {
        reason: 'AuthorizationPending',
      });
    }
    // The answer is used once: whoever takes the record redeems it; a replayed device code finds nothing.
    if ((await store.take(keys.grant)) === undefined) throw unknownDeviceCode();
    await Promise.all([
      store.delete(keys.decision),
      store.delete(keys.poll),
      store.delete(userCodeKey(record.userCode)),
    ]);
    if (decision.decision === 'denied')
      throw new OAuthError('access_denied', 'The sign-in was refused on the verification page.', {
        reason: 'DeviceDenied',
      });
    const lifetime = decision.notAfter - Math.floor(now / 1000);
    if (lifetime <= 0) throw signInEnded();
    const signIn = await this.#options.signIns.create(decision.identity, lifetime);
    return this.#issue(signIn, decision.roleName, context);
  }

  async #refresh(
    body: Readonly<Record<string, unknown>>,
    context: DeviceRequestContext,
  ): Promise<DeviceTokenResponse> {
    const token = singleParameter(body, 'refresh_token');
    const role = singleParameter(body, 'role');
    if (token === undefined || role === undefined)
      throw new OAuthError('invalid_request', 'The refresh_token and role parameters are required.', {
        reason: 'MissingParameter',
      });
    if (!NAME_PATTERN.test(role))
      throw new OAuthError('invalid_request', 'The role parameter must be a role name.', {
        reason: 'MalformedParameter',
      });
    const signIn = SIGN_IN_TOKEN.test(token) ? await this.#options.signIns.get(token) : undefined;
    if (signIn === undefined) throw signInEnded();
    return this.#issue(signIn, role, context);
  }

  async #issue(
    signIn: DeviceSignIn,
    roleName: string,
    context: DeviceRequestContext,
  ): Promise<DeviceTokenResponse> {
    let issued: IssuedRoleCredentials;
    try {
      issued = await this.#options.assume({
        identity: signIn.identity,
        roleName,
        portalSessionId: signIn.handle,
        notAfter: signIn.expiresAt,
        context: { sourceIp: context.sourceIp ?? '', requestId: context.requestId ?? '' },
      });
    } catch (error) {
      // A role its trust policy no longer allows (or that is gone) is this grant's refusal; an outage is not.
      if (isFedgateError(error) && error.status < 500)
        throw new OAuthError('invalid_grant', 'The role cannot be assumed with this sign-in.', {
          reason: 'RoleRefused',
          internal: error.code,
        });
      throw error;
    }
    const nowSeconds = Math.floor(this.#now() / 1000);
    const credentials = issued.response;
    return {
      access_token: credentials.Credentials.SessionToken,
      token_type: 'Bearer',
      expires_in: Math.max(0, issued.expiresAt - nowSeconds),
      refresh_token: signIn.id,
      refresh_token_expires_in: Math.max(0, signIn.expiresAt - nowSeconds),
      role: roleName,
      Credentials: credentials.Credentials,
      AssumedRoleUser: credentials.AssumedRoleUser,
    };
  }

  async #byUserCode(
    typed: unknown,
  ): Promise<{ id: string; record: DeviceGrantRecord; answered: boolean } | undefined> {
    const userCode = normaliseUserCode(typed);
    if (userCode === undefined) return undefined;
    const id = await this.#options.store.get(userCodeKey(userCode));
    if (id === undefined) return undefined;
    const keys = deviceGrantKeys(id);
    const [rawRecord, rawDecision] = await this.#options.store.getMany([keys.grant, keys.decision]);
    if (rawRecord === undefined) return undefined;
    const record = JSON.parse(rawRecord) as DeviceGrantRecord;
    if (this.#now() >= record.expiresAt) return undefined;
    return { id, record, answered: rawDecision !== undefined };
  }

  async #answer(
    typed: unknown,
    identity: FederatedIdentity,
    context: DeviceRequestContext,
    decision: DeviceDecision,
  ): Promise<DeviceAnswerResult> {
    const found = await this.#byUserCode(typed);
    if (found === undefined) return { ok: false, reason: 'UnknownUserCode' };
    const remainingMs = found.record.expiresAt - this.#now() + this.#lifetimeMs;
    const written = await this.#options.store.setIfAbsent(
      deviceGrantKeys(found.id).decision,
      JSON.stringify(decision),
      remainingMs,
    );
    if (!written) return { ok: false, reason: 'AlreadyAnswered' };
    const about = { provider: identity.provider, subject: identity.subject };
    const rest = {
      ...(context.sourceIp === undefined ? {} : { sourceIp: context.sourceIp }),
      ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
      details: { client: found.record.clientId, deviceSourceIp: found.record.sourceIp },
    };
    this.#options.audit.record(
      decision.decision === 'approved'
        ? { event: 'device.approved', outcome: 'success', ...about, role: decision.roleName, ...rest }
        : { event: 'device.denied', outcome: 'denied', ...about, ...rest },
    );
    return { ok: true };
  }
}

/**
 * A store or service that cannot be reached is `temporarily_unavailable` (503, retry), never a pass nor a refusal
 * the device would give up on.
 */
async function failClosed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (
      isFedgateError(error) &&
      !isOAuthError(error) &&
      (error.code === 'StoreUnavailable' || error.code === 'ServiceUnavailable')
    )
      throw new OAuthError('temporarily_unavailable', 'The sign-in service is temporarily unavailable.', {
        reason: error.code,
        cause: error,
      });
    throw error;
  }
}

function requireCliClient(body: Readonly<Record<string, unknown>>): void {
  const clientId = singleParameter(body, 'client_id');
  if (clientId !== CLI_CLIENT_ID)
    throw new OAuthError('invalid_client', 'Unknown client.', { reason: 'UnknownClient' });
}

function unknownDeviceCode(): OAuthError {
  return new OAuthError('invalid_grant', 'The device code is not valid.', { reason: 'UnknownDeviceCode' });
}

function signInEnded(): OAuthError {
  return new OAuthError('invalid_grant', 'The sign-in has ended; run fedgate login again.', {
    reason: 'SignInEnded',
  });
}
