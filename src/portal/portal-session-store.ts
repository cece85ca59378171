import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { EncryptedBlob, KeyEncryptionKey } from '../sessions/index.js';
import type { FederatedIdentity } from '../federation/federated-identity.js';

/** A browser sign-in at the portal: the federated identity it proved, until it expires or the user signs out. */
export interface PortalSession {
  /** The secret cookie value; the store only ever sees its hash. */
  readonly id: string;
  /** Stable, non-secret handle (hash of the id): what role sessions record as `portalSessionId`. */
  readonly handle: string;
  readonly identity: FederatedIdentity;
  /** Synchroniser token for every state-changing form of this session. */
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** SAML single logout needs the NameID value and session index the IdP gave. */
  readonly nameIdValue?: string;
  readonly sessionIndex?: string;
  /** The OIDC sign-in's ID token, encrypted (AES-256-GCM, bound to this session): for `id_token_hint`. */
  readonly encryptedIdToken?: EncryptedBlob;
}

/** A portal session known by its handle only (the cookie value is not at hand): enough to end it. */
export type PortalSessionRef = Pick<PortalSession, 'handle' | 'identity'>;

type StoredPortalSession = Omit<PortalSession, 'id' | 'handle'>;

const KEY_PREFIX = 'portal:';
const SIGN_IN_START_PREFIX = 'portal-sign-in-start:';

/** Portal sessions in the store, keyed by the hash of the cookie value so a store dump yields no live cookie. */
export class PortalSessionStore {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #idTokenKey: KeyEncryptionKey | undefined;

  /** `idTokenKey` encrypts OIDC ID tokens kept for sign-out; without it none is kept. */
  constructor(store: Store, now: () => number = Date.now, idTokenKey?: KeyEncryptionKey) {
    this.#store = store;
    this.#now = now;
    this.#idTokenKey = idTokenKey;
  }

  /** Creates a portal session lasting `lifetimeSeconds`. */
  async create(
    identity: FederatedIdentity,
    lifetimeSeconds: number,
    extras: { nameIdValue?: string; sessionIndex?: string; idToken?: string } = {},
  ): Promise<PortalSession> {
    const id = randomBytes(32).toString('base64url');
    const handle = portalHandle(id);
    const createdAt = Math.floor(this.#now() / 1000);
    const encryptedIdToken =
      extras.idToken === undefined || this.#idTokenKey === undefined
        ? undefined
        : this.#idTokenKey.encrypt(extras.idToken, idTokenAad(handle));
    const stored: StoredPortalSession = {
      identity,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt,
      expiresAt: createdAt + lifetimeSeconds,
      ...(extras.nameIdValue === undefined ? {} : { nameIdValue: extras.nameIdValue }),
      ...(extras.sessionIndex === undefined ? {} : { sessionIndex: extras.sessionIndex }),
      ...(encryptedIdToken === undefined ? {} : { encryptedIdToken }),
    };
    await this.#store.set(KEY_PREFIX + handle, JSON.stringify(stored), lifetimeSeconds * 1000);
    return { id, handle, ...stored };
  }

  /** The live portal session for a cookie value, or undefined. */
  async get(id: string | undefined): Promise<PortalSession | undefined> {
    if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const stored = await this.#live(portalHandle(id));
    return stored === undefined ? undefined : { id, ...stored };
  }

  /**
   * Remembers that the browser holding `browserBinding` (the cookie of a sign-in it is starting) holds
   * `session` now. The IdP's answer may come back without the portal cookie (a SAML HTTP-POST from another
   * site does not carry a SameSite=Lax cookie), and a new sign-in must still end this one (issue 11, item 8).
   */
  async rememberSignInStart(
    browserBinding: string,
    session: PortalSessionRef,
    ttlSeconds: number,
  ): Promise<void> {
    await this.#store.set(signInStartKey(browserBinding), session.handle, ttlSeconds * 1000);
  }

  /** The portal session, still live, that the browser held when it started this sign-in; single use. */
  async takeSignInStart(browserBinding: string | undefined): Promise<PortalSessionRef | undefined> {
    if (browserBinding === undefined || browserBinding === '') return undefined;
    const handle = await this.#store.take(signInStartKey(browserBinding));
    if (handle === undefined) return undefined;
    const stored = await this.#live(handle);
    return stored === undefined ? undefined : { handle, identity: stored.identity };
  }

  /** Ends every portal session of a subject at a provider created up to now (IdP-initiated single logout). */
  async revokeSubject(provider: string, subject: string, maxLifetimeSeconds = 30 * 86_400): Promise<void> {
    await this.#store.set(
      subjectMarker(provider, subject),
      String(Math.floor(this.#now() / 1000)),
      maxLifetimeSeconds * 1000,
    );
  }

  /** The ID token of the session's OIDC sign-in, for `id_token_hint` at sign-out; undefined if none is kept. */
  idTokenHint(session: PortalSession): string | undefined {
    if (session.encryptedIdToken === undefined || this.#idTokenKey === undefined) return undefined;
    return this.#idTokenKey.tryDecrypt(session.encryptedIdToken, idTokenAad(session.handle));
  }

  /** Ends a portal session. */
  async delete(session: Pick<PortalSession, 'handle'>): Promise<void> {
    await this.#store.delete(KEY_PREFIX + session.handle);
  }

  /** The stored session of a handle unless it has expired or its subject was signed out everywhere. */
  async #live(handle: string): Promise<Omit<PortalSession, 'id'> | undefined> {
    const raw = await this.#store.get(KEY_PREFIX + handle);
    if (raw === undefined) return undefined;
    const stored = JSON.parse(raw) as StoredPortalSession;
    if (stored.expiresAt <= Math.floor(this.#now() / 1000)) return undefined;
    const revokedAt = await this.#store.get(subjectMarker(stored.identity.provider, stored.identity.subject));
    if (revokedAt !== undefined && Number(revokedAt) >= stored.createdAt) return undefined;
    return { handle, ...stored };
  }
}

/** The non-secret handle of a portal session id. */
export function portalHandle(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

function idTokenAad(handle: string): string {
  return `portal-id-token:${handle}`;
}

function signInStartKey(browserBinding: string): string {
  return SIGN_IN_START_PREFIX + createHash('sha256').update(browserBinding).digest('base64url');
}

function subjectMarker(provider: string, subject: string): string {
  return `portal-revoked:${createHash('sha256').update(`${provider}\u0000${subject}`).digest('base64url')}`;
}
