import type { AuditEvent } from '../audit/index.js';
import type { FederatedIdentity } from '../federation/index.js';
import type { PostedSamlMessage } from '../identity-providers/saml/index.js';
import type { PolicyCatalog } from '../roles/index.js';
import type { SessionService } from '../sessions/index.js';
import type { AuthorizationMessageCodec } from './authorization-message.js';

/** What the STS service reads from the configuration (re-read on every call, so reloads apply at once). */
export interface StsSettings {
  readonly partition: string;
  readonly account: string;
  /** `sessions.defaultDuration`, seconds. */
  readonly defaultDurationSeconds: number;
  /** `sessions.chainedMaxDuration`, seconds (at most 3600). */
  readonly chainedMaxDurationSeconds: number;
}

/** Verifies a web-identity JWT from any configured OIDC provider (`WebIdentityVerifier`). */
export interface WebIdentityTokenVerifier {
  verify(token: string): Promise<FederatedIdentity>;
}

/** Verifies a SAML Response posted to the STS API, base64 text or still form-encoded (`SamlServiceProvider`). */
export interface SamlAssertionVerifier {
  verifyStsAssertion(samlResponse: string | PostedSamlMessage): Promise<FederatedIdentity>;
}

/** Where audit events go (`AuditLog`). */
export interface AuditRecorder {
  record(event: AuditEvent): void;
}

/** The parts of SessionService the STS API uses. */
export type StsSessionService = Pick<
  SessionService,
  'issue' | 'verify' | 'revokeSession' | 'revokeRole' | 'revokeSubject'
>;

/** Everything StsService needs from the composition root. */
export interface StsServiceOptions {
  /** The current policy catalog (a new one after each configuration reload). */
  readonly catalog: () => PolicyCatalog;
  readonly settings: () => StsSettings;
  readonly sessions: StsSessionService;
  readonly webIdentity: WebIdentityTokenVerifier;
  /** The SAML provider of that id, if one is configured. */
  readonly samlProvider: (providerId: string) => SamlAssertionVerifier | undefined;
  readonly audit: AuditRecorder;
  /** Counts role sessions issued and refused by API (`GatewayMetrics.roleAssumptions`). */
  readonly metrics?: { readonly roleAssumptions: { inc(labels: { api: string; outcome: string }): void } };
  /** Epoch milliseconds; used when a request context brings no `now`. */
  readonly now?: () => number;
  /** Encodes AccessDenied explanations and decodes them for DecodeAuthorizationMessage; without it refusals carry none. */
  readonly authorizationMessages?: AuthorizationMessageCodec;
}

/** Per-request facts from the HTTP layer (or the portal). */
export interface StsRequestContext {
  readonly sourceIp?: string | undefined;
  readonly requestId?: string | undefined;
  /** Epoch milliseconds; default the service's clock. */
  readonly now?: number | undefined;
}
