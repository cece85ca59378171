import type { AuditEvent } from '../audit/index.js';
import type { VerifiedWebIdentity } from '../federation/index.js';
import type { PolicyCatalog } from '../roles/index.js';
import type { SessionService } from '../sessions/index.js';
import type { ClientRegistry } from './client-registry.js';

/** What the exchange reads from the configuration (re-read on every request, so reloads apply at once). */
export interface TokenExchangeSettings {
  /** `publicUrl`: the `iss` of fedgate credentials. */
  readonly issuer: string;
  readonly partition: string;
  readonly account: string;
  /** `sessions.defaultDuration`, seconds: the longest token exchanged from a provider JWT. */
  readonly defaultDurationSeconds: number;
}

/** Verifies a JWT from a configured OIDC provider (`WebIdentityVerifier`); the identity carries the token's expiry. */
export interface WebIdentityTokenVerifier {
  verify(token: string): Promise<VerifiedWebIdentity>;
}

/** Where audit events go (`AuditLog`). */
export interface AuditRecorder {
  record(event: AuditEvent): void;
}

/** The parts of SessionService token exchange uses. */
export type ExchangeSessionService = Pick<SessionService, 'issue' | 'verify'>;

/** Everything TokenExchangeService needs from the composition root. */
export interface TokenExchangeServiceOptions {
  readonly clients: () => ClientRegistry;
  readonly catalog: () => PolicyCatalog;
  readonly settings: () => TokenExchangeSettings;
  readonly sessions: ExchangeSessionService;
  readonly webIdentity: () => WebIdentityTokenVerifier;
  readonly audit: AuditRecorder;
  /** Epoch milliseconds; used when a request context brings no `now`. */
  readonly now?: () => number;
}

/** Per-request facts from the HTTP layer. */
export interface TokenRequestContext {
  readonly sourceIp?: string | undefined;
  readonly requestId?: string | undefined;
  /** Epoch milliseconds; default the service's clock. */
  readonly now?: number | undefined;
}

/** The RFC 8693 §2.2.1 success response. */
export interface TokenExchangeResponse {
  readonly access_token: string;
  readonly issued_token_type: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope?: string;
}
