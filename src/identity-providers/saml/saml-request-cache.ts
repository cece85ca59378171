import { createHash } from 'node:crypto';
import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { Store } from '../../store/store.js';

/** How long an AuthnRequest or LogoutRequest we sent may be answered. */
export const SAML_REQUEST_TTL_MS = 15 * 60 * 1000;

/** Store key of a request id we sent (shared by every instance, so any of them can take the answer). */
export function samlRequestKey(providerId: string, requestId: string): string {
  return `saml:request:${providerId}:${digest(requestId)}`;
}

/** Store key of an AuthnRequest we sent; its value is the digest of the browser binding that started it. */
export function samlAuthnRequestKey(providerId: string, requestId: string): string {
  return `saml:authn-request:${providerId}:${digest(requestId)}`;
}

/** Store key of an IdP-initiated login waiting for the person to confirm it. */
export function samlUnconfirmedLoginKey(providerId: string, handle: string): string {
  return `saml:unconfirmed-login:${providerId}:${digest(handle)}`;
}

/** Store key of an accepted assertion, per IdP entity id and assertion ID. */
export function samlAssertionKey(idpEntityId: string, assertionId: string): string {
  return `saml:assertion:${digest(`${idpEntityId}\n${assertionId}`)}`;
}

/** Store key of an IdP LogoutRequest already handled. */
export function samlLogoutRequestKey(idpEntityId: string, requestId: string): string {
  return `saml:logout-request:${digest(`${idpEntityId}\n${requestId}`)}`;
}

/**
 * node-saml's three-method request cache, backed by fedgate's store instead of one process's memory, so a
 * response can land on any gateway instance. Store failures propagate: a login is refused, never waved through.
 */
export function createStoreCacheProvider(store: Store, providerId: string, now: () => number): CacheProvider {
  return {
    async saveAsync(key: string, value: string): Promise<CacheItem | null> {
      const createdAt = now();
      const written = await store.setIfAbsent(samlRequestKey(providerId, key), value, SAML_REQUEST_TTL_MS);
      return written ? { value, createdAt } : null;
    },
    async getAsync(key: string): Promise<string | null> {
      return (await store.get(samlRequestKey(providerId, key))) ?? null;
    },
    async removeAsync(key: string | null): Promise<string | null> {
      if (key === null) return null;
      return (await store.take(samlRequestKey(providerId, key))) ?? null;
    },
  };
}

/** The SHA-256 of a secret (browser binding, confirmation cookie) as stored: never the secret itself. */
export function secretDigest(value: string): string {
  return digest(value);
}

// Ids come from the network: hashing keeps keys short and free of separators.
function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
