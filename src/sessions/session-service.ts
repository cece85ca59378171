import { randomBytes } from 'node:crypto';
import { FedgateError, isFedgateError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import {
  createAccessKeyId,
  createSecretAccessKey,
  openSecretAccessKey,
  sealSecretAccessKey,
} from './access-key.js';
import { KeyEncryptionKey } from './key-encryption.js';
import { parseRevocationEvent, REVOCATION_CHANNEL, type RevocationEvent } from './revocation-event.js';
import { parseRoleSession } from './role-session-record.js';
import type { IssuedCredential, RoleSession, RoleSessionInput, SessionAncestor } from './role-session.js';
import { assumedRoleArnFor, roleArnFor } from './session-arns.js';
import {
  ALL_SESSIONS_INDEX,
  portalIndexKey,
  revokedPortalKey,
  revokedRoleKey,
  revokedSessionKey,
  revokedSubjectKey,
  roleIndexKey,
  sessionKey,
  subjectIndexKey,
} from './session-store-keys.js';
import {
  MAX_SESSION_TOKEN_BYTES,
  recheckSessionToken,
  SESSION_TOKEN_TYPE,
  signSessionToken,
  verifySessionToken,
} from './session-token.js';
import type { SigningKeyRing } from './signing-key-ring.js';

/** How far a mass revocation's clean-up has got: index members examined, records deleted. */
export interface RevocationProgress {
  readonly examined: number;
  readonly deleted: number;
}

/** Records read and deleted per round trip of a mass revocation's clean-up. */
const CLEAN_UP_BATCH = 250;
/** A batch that failed (a busy store timing out) is retried this many times before the clean-up gives up. */
const CLEAN_UP_ATTEMPTS = 5;

/** SPEC 6.2: the longest role session. */
export const MAX_SESSION_DURATION_SECONDS = 12 * 3600;
/** SPEC 6.2: the longest chained (AssumeRole) session. */
export const MAX_CHAINED_SESSION_DURATION_SECONDS = 3600;
/** A session derives from at most this many others (chaining hops, exchanges, actors); deeper is refused. */
export const MAX_SESSION_ANCESTORS = 32;
/** The audience of a role session that was not exchanged. */
export const DEFAULT_SESSION_AUDIENCE = 'fedgate';

/** Options of SessionService. */
export interface SessionServiceOptions {
  readonly store: Store;
  readonly keys: SigningKeyRing;
  /** `publicUrl`: the `iss` of every credential. */
  readonly issuer: string;
  readonly partition: string;
  readonly account: string;
  /** Epoch ms. */
  readonly now?: () => number;
  /**
   * Encrypts each session's secret access key in its record (purpose `session-secrets`), so SigV4 signatures
   * can be verified by every instance sharing FEDGATE_KEY_ENCRYPTION_KEY. Default: a random key for this
   * process only (the embedded store).
   */
  readonly secretKey?: KeyEncryptionKey;
  /** JOSE `typ`; default `fedgate-session+jwt`. */
  readonly typ?: string;
  /**
   * How long role/subject/portal revocation markers live beyond the time they cover: at least the longest
   * session that could still be alive (default 12 h; pass the portal duration when it is longer).
   */
  readonly revocationTtlSeconds?: number;
}

/**
 * Issues, verifies, lists and revokes role sessions (SPEC 6). A credential is valid only while its
 * signature verifies, it is unexpired, its record exists and no revocation covers it; every check that
 * needs the store fails closed with StoreUnavailable.
 */
export class SessionService {
  readonly #store: Store;
  readonly #keys: SigningKeyRing;
  readonly #issuer: string;
  readonly #partition: string;
  readonly #account: string;
  readonly #now: () => number;
  readonly #typ: string;
  readonly #secretKey: KeyEncryptionKey;
  readonly #revocationTtlMs: number;
  readonly #listeners = new Set<(event: RevocationEvent) => void>();
  #unsubscribe: (() => Promise<void>) | undefined;
  #starting: Promise<void> | undefined;

  constructor(options: SessionServiceOptions) {
    for (const name of ['issuer', 'partition', 'account'] as const)
      if (typeof options[name] !== 'string' || options[name] === '')
        throw new TypeError(`${name} is required`);
    this.#store = options.store;
    this.#keys = options.keys;
    this.#issuer = options.issuer;
    this.#partition = options.partition;
    this.#account = options.account;
    this.#now = options.now ?? Date.now;
    this.#typ = options.typ ?? SESSION_TOKEN_TYPE;
    this.#secretKey =
      options.secretKey ?? KeyEncryptionKey.fromSecret(randomBytes(32).toString('base64'), 'session-secrets');
    this.#revocationTtlMs = (options.revocationTtlSeconds ?? MAX_SESSION_DURATION_SECONDS) * 1000;
  }

  /**
   * Creates a role session: record, indexes, signed token and a fresh key pair (the secret is stored
   * encrypted, bound to the record). PackedPolicyTooLarge when the token would reach 4 KB; InvalidToken when the portal session
   * it comes from was signed out meanwhile.
   */
  async issue(input: RoleSessionInput): Promise<IssuedCredential> {
    checkInput(input);
    const now = this.#now();
    const issuedAt = Math.floor(now / 1000);
    const parents = input.derivedFrom ?? [];
    const ancestors = ancestorsOf(parents);
    // A derived session never outlives what it derives from, whatever duration was asked for: this is what
    // keeps a chain (and a role chained to itself) inside the portal sign-in or IdP session it started from.
    const expiresAt = Math.min(issuedAt + input.durationSeconds, ...parents.map((p) => p.expiresAt));
    if (expiresAt <= issuedAt)
      throw new FedgateError('ExpiredToken', 'The session this request derives from has expired.');
    const accessKeyId = createAccessKeyId();
    const secretAccessKey = createSecretAccessKey();
    const id = randomBytes(16).toString('base64url');
    const session: RoleSession = {
      id,
      roleName: input.roleName,
      roleArn: roleArnFor(this.#partition, this.#account, input.roleName),
      principalArn: assumedRoleArnFor(this.#partition, this.#account, input.roleName, input.sessionName),
      sessionName: input.sessionName,
      provider: input.provider,
      subject: input.subject,
      tags: { ...input.tags },
      transitiveTagKeys: [...input.transitiveTagKeys],
      ...(input.sourceIdentity === undefined ? {} : { sourceIdentity: input.sourceIdentity }),
      mfa: input.mfa,
      amr: [...input.amr],
      ...(input.authTime === undefined ? {} : { authTime: input.authTime }),
      chain: input.chain,
      sessionPolicies: [...input.sessionPolicies],
      hasSessionPolicy: input.hasSessionPolicy,
      audience: input.audience,
      ...(input.actor === undefined ? {} : { actor: { ...input.actor } }),
      ...(input.scope === undefined ? {} : { scope: input.scope }),
      ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
      ...(input.portalSessionId === undefined ? {} : { portalSessionId: input.portalSessionId }),
      ...(input.parentSessionId === undefined ? {} : { parentSessionId: input.parentSessionId }),
      ...(ancestors.length === 0 ? {} : { ancestors }),
      accessKeyId,
      secretAccessKey: sealSecretAccessKey(this.#secretKey, { id, accessKeyId }, secretAccessKey),
      issuedAt,
      expiresAt,
    };
    const key = await this.#keys.currentKey();
    const token = await signSessionToken(session, { issuer: this.#issuer, key, typ: this.#typ });
    const tokenBytes = Buffer.byteLength(token, 'utf8');
    if (tokenBytes >= MAX_SESSION_TOKEN_BYTES)
      throw new FedgateError(
        'PackedPolicyTooLarge',
        'The session tags and other session attributes are too large for a session credential.',
        { internal: `token would be ${tokenBytes} bytes` },
      );
    const ttlMs = expiresAt * 1000 - now;
    // Indexes before the record: a member without a record is pruned on read, whereas a record missing
    // from its indexes would escape listing and portal sign-out.
    await this.#storeCall(() =>
      Promise.all(this.#indexesOf(session).map((index) => this.#store.addToSet(index, session.id, ttlMs))),
    );
    await this.#storeCall(() => this.#store.set(sessionKey(session.id), JSON.stringify(session), ttlMs));
    if (session.portalSessionId !== undefined)
      await this.#refuseIfPortalSignedOut(session, session.portalSessionId);
    return {
      token,
      session,
      accessKeyId,
      secretAccessKey,
      expiration: new Date(expiresAt * 1000),
      packedPolicySize: Math.ceil((tokenBytes * 100) / MAX_SESSION_TOKEN_BYTES),
    };
  }

  /**
   * The live session a credential stands for. Checks signature (any published kid), typ, iss, aud
   * (default `fedgate`), nbf, exp (no skew), then reads the record and the session, role and subject
   * revocation markers in one round trip. ExpiredToken, InvalidToken, or StoreUnavailable (never valid).
   */
  async verify(
    token: string,
    options: {
      audience?: string | readonly string[];
      /**
       * The session this exact token was verified as earlier in this process (the authorizer's expired cache
       * entry, keyed by the token's digest): its signature is not checked again, everything else is (the key
       * still published, audience, expiry, and the store's record and revocation markers, read as always).
       */
      verifiedBefore?: RoleSession;
    } = {},
  ): Promise<RoleSession> {
    const tokenOptions = {
      issuer: this.#issuer,
      audience: options.audience ?? DEFAULT_SESSION_AUDIENCE,
      typ: this.#typ,
      now: this.#now(),
      keyFor: (kid: string) => this.#keys.publishedKey(kid),
    };
    const claims =
      options.verifiedBefore === undefined
        ? await verifySessionToken(token, tokenOptions)
        : await recheckSessionToken(token, options.verifiedBefore, tokenOptions);
    const rolePrefix = roleArnFor(this.#partition, this.#account, '');
    if (!claims.role.startsWith(rolePrefix)) throw invalidToken('role ARN outside this partition/account');
    const roleName = claims.role.slice(rolePrefix.length);
    const [record, sessionMarker, roleMarker, anySubjectMarker, providerSubjectMarker] =
      await this.#storeCall(() =>
        this.#store.getMany([
          sessionKey(claims.jti),
          revokedSessionKey(claims.jti),
          revokedRoleKey(roleName),
          revokedSubjectKey(claims.fsub, undefined),
          revokedSubjectKey(claims.fsub, claims.idp),
        ]),
      );
    if (record === undefined) throw invalidToken('no session record (revoked or never issued here)');
    if (sessionMarker !== undefined) throw revokedToken('session');
    const session = parseRoleSession(record);
    if (session === undefined) throw invalidToken('unreadable session record');
    const consistent =
      session.id === claims.jti &&
      session.roleArn === claims.role &&
      session.roleName === roleName &&
      session.principalArn === claims.sub &&
      session.subject === claims.fsub &&
      session.provider === claims.idp &&
      session.audience === claims.aud &&
      session.issuedAt === claims.iat &&
      session.expiresAt === claims.exp &&
      // Tokens exchanged before these claims existed carry neither; the record stays the authority.
      (claims.scope === undefined || session.scope === claims.scope) &&
      (claims.client_id === undefined || session.clientId === claims.client_id);
    if (!consistent) throw invalidToken('token claims do not match the session record');
    const revokedBy = revocationOf(session, {
      role: roleMarker,
      anySubject: anySubjectMarker,
      providerSubject: providerSubjectMarker,
    });
    if (revokedBy !== undefined) throw revokedToken(revokedBy);
    if ((session.ancestors?.length ?? 0) > 0) {
      // A second round trip, for derived sessions only: revoking any session it derives from revokes it.
      const [byAncestor] = await this.#ancestorRevocations([session]);
      if (byAncestor !== undefined) throw revokedToken(byAncestor);
    }
    return session;
  }

  /**
   * The plaintext secret access key of a verified session, to check a SigV4 signature with; `undefined` when
   * the session has none or it was sealed under another key-encryption key.
   */
  secretAccessKeyOf(session: RoleSession): string | undefined {
    return openSecretAccessKey(this.#secretKey, session);
  }

  /** The live, unrevoked session with this id. */
  async get(id: string): Promise<RoleSession | undefined> {
    const [raw, marker] = await this.#storeCall(() =>
      this.#store.getMany([sessionKey(id), revokedSessionKey(id)]),
    );
    if (raw === undefined || marker !== undefined) return undefined;
    const session = parseRoleSession(raw);
    if (session === undefined) return undefined;
    return (await this.#withoutRevoked([session]))[0];
  }

  /** Live sessions of a role and/or a federated subject (every live session without a filter), oldest first. */
  async list(filter: { role?: string; subject?: string } = {}): Promise<RoleSession[]> {
    const index =
      filter.role !== undefined
        ? roleIndexKey(filter.role)
        : filter.subject !== undefined
          ? subjectIndexKey(filter.subject)
          : ALL_SESSIONS_INDEX;
    const sessions = (await this.#indexed(index)).filter(
      (session) =>
        (filter.role === undefined || session.roleName === filter.role) &&
        (filter.subject === undefined || session.subject === filter.subject),
    );
    return (await this.#withoutRevoked(sessions)).sort(
      (a, b) => a.issuedAt - b.issuedAt || a.id.localeCompare(b.id),
    );
  }

  /** Revokes one session: marks it revoked for its remaining lifetime and deletes its record; false when it was not live. */
  async revokeSession(id: string): Promise<boolean> {
    if (typeof id !== 'string' || id === '') throw new TypeError('id is required');
    const raw = await this.#storeCall(() => this.#store.get(sessionKey(id)));
    const session = raw === undefined ? undefined : parseRoleSession(raw);
    if (session === undefined) return false;
    const deleted = await this.#revokeRecord(session);
    await this.#publish({ kind: 'session', id });
    return deleted;
  }

  /**
   * Revokes every session of the role issued before `issuedBefore` (epoch s), like AWS "revoke active
   * sessions". The role marker is written and the notice published first, so every instance refuses the
   * sessions at once however many there are; the records are then deleted in pipelined batches. Running it
   * again is harmless and finishes an interrupted clean-up (the index keeps what is left to do).
   */
  async revokeRole(
    roleName: string,
    issuedBefore: number,
    options: { readonly onProgress?: (progress: RevocationProgress) => void } = {},
  ): Promise<RevocationProgress> {
    if (typeof roleName !== 'string' || roleName === '') throw new TypeError('roleName is required');
    if (!Number.isFinite(issuedBefore)) throw new TypeError('issuedBefore must be epoch seconds');
    const markerKey = revokedRoleKey(roleName);
    // A later revocation with an earlier time must not shorten an earlier, wider one.
    const existing = Number((await this.#storeCall(() => this.#store.get(markerKey))) ?? -Infinity);
    const cutoff = Math.max(existing, issuedBefore);
    const ttlMs = Math.max(cutoff * 1000 - this.#now(), 0) + this.#revocationTtlMs;
    await this.#storeCall(() =>
      this.#store.commit([{ op: 'set', key: markerKey, value: String(cutoff), ttlMs }], { durable: true }),
    );
    await this.#publish({ kind: 'role', roleName, issuedBefore: cutoff });
    return this.#cleanUp(
      roleIndexKey(roleName),
      (session) => session.roleName === roleName && session.issuedAt < cutoff,
      options.onProgress,
    );
  }

  /** Revokes every current session of a federated subject, from one provider or (no provider) from any. */
  async revokeSubject(subject: string, provider?: string): Promise<void> {
    if (typeof subject !== 'string' || subject === '') throw new TypeError('subject is required');
    const revokedAt = Math.floor(this.#now() / 1000);
    await this.#storeCall(() =>
      this.#store.commit(
        [
          {
            op: 'set',
            key: revokedSubjectKey(subject, provider),
            value: String(revokedAt),
            ttlMs: this.#revocationTtlMs,
          },
        ],
        { durable: true },
      ),
    );
    await this.#publish(
      provider === undefined ? { kind: 'subject', subject } : { kind: 'subject', subject, provider },
    );
    await this.#cleanUp(
      subjectIndexKey(subject),
      (session) =>
        session.subject === subject &&
        session.issuedAt <= revokedAt &&
        (provider === undefined || session.provider === provider),
    );
  }

  /** Revokes every role session minted from a portal session (logout) and refuses new ones; returns how many were live. */
  async revokePortalSession(portalSessionId: string): Promise<number> {
    if (typeof portalSessionId !== 'string' || portalSessionId === '')
      throw new TypeError('portalSessionId is required');
    // Marker before reading the index, and issue() adds to the index before reading the marker: a session
    // minted concurrently with the sign-out is caught by one side or the other.
    const revokedAt = Math.floor(this.#now() / 1000);
    await this.#storeCall(() =>
      this.#store.commit(
        [
          {
            op: 'set',
            key: revokedPortalKey(portalSessionId),
            value: String(revokedAt),
            ttlMs: this.#revocationTtlMs,
          },
        ],
        { durable: true },
      ),
    );
    const covered = (await this.#indexed(portalIndexKey(portalSessionId))).filter(
      (session) => session.portalSessionId === portalSessionId,
    );
    const deleted = await Promise.all(covered.map((session) => this.#revokeRecord(session)));
    await this.#publish({ kind: 'portal', portalSessionId });
    return deleted.filter(Boolean).length;
  }

  /** Calls `listener` for every revocation on any instance sharing the store, this one included (after start()). */
  onRevocation(listener: (event: RevocationEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Subscribes to the revocation channel; resolves once revocations from other instances arrive. */
  async start(): Promise<void> {
    this.#starting ??= this.#store
      .subscribe(REVOCATION_CHANNEL, (message) => {
        const event = parseRevocationEvent(message);
        if (event === undefined) return;
        for (const listener of [...this.#listeners]) {
          try {
            listener(event);
          } catch {
            // One listener's failure must not keep the others (cache evictions) from hearing the revocation.
          }
        }
      })
      .then((unsubscribe) => {
        this.#unsubscribe = unsubscribe;
      })
      .catch((error: unknown) => {
        this.#starting = undefined;
        throw error;
      });
    return this.#starting;
  }

  /** Unsubscribes and drops the listeners; the store and the key ring are closed by their owner. */
  async close(): Promise<void> {
    await this.#starting?.catch(() => {});
    this.#starting = undefined;
    this.#listeners.clear();
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    await unsubscribe?.().catch(() => {
      // The store may already be closed; nothing is left to release then.
    });
  }

  #indexesOf(session: RoleSession): string[] {
    return [
      ALL_SESSIONS_INDEX,
      roleIndexKey(session.roleName),
      subjectIndexKey(session.subject),
      ...(session.portalSessionId === undefined ? [] : [portalIndexKey(session.portalSessionId)]),
    ];
  }

  /** Records of an index's members; members whose record is gone (expired, revoked) are pruned. */
  async #indexed(index: string): Promise<RoleSession[]> {
    const ids = await this.#storeCall(() => this.#store.setMembers(index));
    if (ids.length === 0) return [];
    const raw = await this.#storeCall(() => this.#store.getMany(ids.map(sessionKey)));
    const sessions: RoleSession[] = [];
    const dead: string[] = [];
    for (const [i, value] of raw.entries()) {
      const session = value === undefined ? undefined : parseRoleSession(value);
      if (session === undefined) dead.push(ids[i] as string);
      else sessions.push(session);
    }
    await this.#storeCall(() => Promise.all(dead.map((id) => this.#store.removeFromSet(index, id))));
    return sessions;
  }

  /** Drops sessions covered by a single-session, role or subject revocation marker (one round trip). */
  async #withoutRevoked(sessions: RoleSession[]): Promise<RoleSession[]> {
    if (sessions.length === 0) return sessions;
    const keys = sessions.flatMap((session) => [
      revokedSessionKey(session.id),
      revokedRoleKey(session.roleName),
      revokedSubjectKey(session.subject, undefined),
      revokedSubjectKey(session.subject, session.provider),
    ]);
    const markers = await this.#storeCall(() => this.#store.getMany(keys));
    const byAncestor = await this.#ancestorRevocations(sessions);
    return sessions.filter((session, i) => {
      const [own, role, anySubject, providerSubject] = markers.slice(i * 4, i * 4 + 4);
      return (
        own === undefined &&
        revocationOf(session, { role, anySubject, providerSubject }) === undefined &&
        byAncestor[i] === undefined
      );
    });
  }

  /**
   * For each session, why one of its ancestors no longer stands (undefined when all do), in one round trip:
   * an ancestor whose record is gone, or that a session, role or subject revocation covers, revokes it.
   */
  async #ancestorRevocations(sessions: readonly RoleSession[]): Promise<(string | undefined)[]> {
    const keys = new Map<string, number>();
    const slot = (key: string): number => {
      let at = keys.get(key);
      if (at === undefined) keys.set(key, (at = keys.size));
      return at;
    };
    const plans = sessions.map((session) =>
      (session.ancestors ?? []).map((ancestor) => ({
        ancestor,
        record: slot(sessionKey(ancestor.id)),
        own: slot(revokedSessionKey(ancestor.id)),
        role: slot(revokedRoleKey(ancestor.roleName)),
        anySubject: slot(revokedSubjectKey(ancestor.subject, undefined)),
        providerSubject: slot(revokedSubjectKey(ancestor.subject, ancestor.provider)),
      })),
    );
    if (keys.size === 0) return sessions.map(() => undefined);
    const values = await this.#storeCall(() => this.#store.getMany([...keys.keys()]));
    return plans.map((plan) => {
      for (const p of plan) {
        if (values[p.record] === undefined || values[p.own] !== undefined) return 'ancestor session';
        const by = revocationOf(p.ancestor, {
          role: values[p.role],
          anySubject: values[p.anySubject],
          providerSubject: values[p.providerSubject],
        });
        if (by !== undefined) return `ancestor ${by}`;
      }
      return undefined;
    });
  }

  /**
   * Marks one session revoked for its remaining lifetime and deletes its record in one atomic, durable
   * write (both keys share the session's hash tag), then drops its index entries; true when it was live.
   */
  async #revokeRecord(session: RoleSession): Promise<boolean> {
    const remainingMs = session.expiresAt * 1000 - this.#now();
    const live = (await this.#storeCall(() => this.#store.get(sessionKey(session.id)))) !== undefined;
    await this.#storeCall(() =>
      this.#store.commit(
        [
          ...(remainingMs > 0
            ? [{ op: 'set' as const, key: revokedSessionKey(session.id), value: '1', ttlMs: remainingMs }]
            : []),
          { op: 'delete', key: sessionKey(session.id) },
        ],
        { durable: true },
      ),
    );
    await this.#dropFromIndexes(session);
    return live;
  }

  async #dropFromIndexes(session: RoleSession): Promise<void> {
    await this.#storeCall(() =>
      Promise.all(this.#indexesOf(session).map((index) => this.#store.removeFromSet(index, session.id))),
    );
  }

  /**
   * Deletes the records an index lists that a marker already revokes, in pipelined batches: idempotent
   * (a record already gone is skipped) and resumable (what is done leaves the index).
   */
  async #cleanUp(
    index: string,
    covered: (session: RoleSession) => boolean,
    onProgress?: (progress: RevocationProgress) => void,
  ): Promise<RevocationProgress> {
    const progress = { examined: 0, deleted: 0 };
    // Paged by offset over the index ordered by expiry: what this run removes leaves the index, so the
    // offset only advances over members that stay (not covered, e.g. issued after the cutoff).
    let offset = 0;
    for (;;) {
      const batch = await this.#storeCall(() =>
        this.#store.setMembers(index, { offset, count: CLEAN_UP_BATCH }),
      );
      if (batch.length === 0) break;
      let kept = 0;
      await this.#withRetries(async () => {
        kept = 0;
        const raw = await this.#storeCall(() => this.#store.getMany(batch.map(sessionKey)));
        await this.#storeCall(() =>
          Promise.all(
            batch.map(async (id, i) => {
              const value = raw[i];
              const session = value === undefined ? undefined : parseRoleSession(value);
              if (session === undefined) return this.#store.removeFromSet(index, id);
              if (!covered(session)) {
                kept += 1;
                return;
              }
              progress.deleted += 1;
              await this.#store.delete(sessionKey(session.id));
              await Promise.all(
                this.#indexesOf(session).map((key) => this.#store.removeFromSet(key, session.id)),
              );
            }),
          ),
        );
      });
      offset += kept;
      progress.examined += batch.length;
      onProgress?.({ ...progress });
    }
    return progress;
  }

  /** Runs an idempotent step again after a StoreUnavailable (a store busy with a mass clean-up times out). */
  async #withRetries(step: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (error) {
        if (attempt >= CLEAN_UP_ATTEMPTS || !isFedgateError(error) || error.code !== 'StoreUnavailable')
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  async #refuseIfPortalSignedOut(session: RoleSession, portalSessionId: string): Promise<void> {
    const marker = await this.#storeCall(() => this.#store.get(revokedPortalKey(portalSessionId)));
    if (marker === undefined) return;
    await this.#revokeRecord(session);
    throw new FedgateError('InvalidToken', 'The portal session has been signed out.');
  }

  async #publish(event: RevocationEvent): Promise<void> {
    await this.#storeCall(() => this.#store.publish(REVOCATION_CHANNEL, JSON.stringify(event)));
  }

  /** Any failure of the store is StoreUnavailable: a security check that could not read never passes. */
  async #storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (isFedgateError(error)) throw error;
      throw new FedgateError('StoreUnavailable', 'The session store is unavailable.', { cause: error });
    }
  }
}

/** The ancestors of a session derived from `parents`: each parent and the parent's own ancestors, once each. */
function ancestorsOf(parents: readonly RoleSession[]): SessionAncestor[] {
  const byId = new Map<string, SessionAncestor>();
  for (const parent of parents) {
    for (const ancestor of parent.ancestors ?? []) byId.set(ancestor.id, ancestor);
    const { id, roleName, provider, subject, issuedAt } = parent;
    byId.set(id, { id, roleName, provider, subject, issuedAt });
  }
  if (byId.size > MAX_SESSION_ANCESTORS)
    throw new FedgateError(
      'ValidationError',
      `A session may derive from at most ${MAX_SESSION_ANCESTORS} others (role chaining and token exchange hops).`,
    );
  return [...byId.values()];
}

/** Which marker, if any, revokes the session (role: issued strictly before; subject: issued at or before). */
function revocationOf(
  session: Pick<RoleSession, 'issuedAt'>,
  markers: { role: string | undefined; anySubject: string | undefined; providerSubject: string | undefined },
): 'role' | 'subject' | undefined {
  if (markers.role !== undefined && session.issuedAt < Number(markers.role)) return 'role';
  for (const marker of [markers.anySubject, markers.providerSubject])
    if (marker !== undefined && session.issuedAt <= Number(marker)) return 'subject';
  return undefined;
}

function checkInput(input: RoleSessionInput): void {
  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object');
  for (const name of ['roleName', 'sessionName', 'provider', 'subject', 'audience'] as const)
    if (typeof input[name] !== 'string' || input[name] === '') throw new TypeError(`${name} is required`);
  if (!Number.isSafeInteger(input.chain) || input.chain < 0)
    throw new TypeError('chain must be a non-negative integer');
  const max = input.chain > 0 ? MAX_CHAINED_SESSION_DURATION_SECONDS : MAX_SESSION_DURATION_SECONDS;
  if (
    !Number.isSafeInteger(input.durationSeconds) ||
    input.durationSeconds < 1 ||
    input.durationSeconds > max
  )
    throw new FedgateError('ValidationError', `DurationSeconds must be between 1 and ${max} seconds.`);
}

function invalidToken(internal: string): FedgateError {
  return new FedgateError('InvalidToken', 'The security token included in the request is invalid.', {
    internal,
  });
}

function revokedToken(by: string): FedgateError {
  return new FedgateError('InvalidToken', 'The security token included in the request has been revoked.', {
    internal: `revoked (${by})`,
  });
}
