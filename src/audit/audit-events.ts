import type { ErrorCode, RefusalCatalogues, RefusalReason } from '../errors/index.js';

/** The values an audit detail may take: flat, never an object. */
export type AuditDetailValue = string | number | boolean | readonly string[];

/** The certificate facts an IAM Roles Anywhere CreateSession adds to the events it writes. */
export interface CertificateAuditDetails {
  readonly certificateSerial?: string;
  readonly certificateIssuer?: string;
  readonly trustAnchor?: string;
  readonly profile?: string;
}

/** What a token endpoint event says about the request: which client, for which audience, on whose behalf. */
export interface TokenAuditDetails {
  readonly clientId?: string;
  readonly audience?: string;
  /** The actor token's subject (RFC 8693 delegation). */
  readonly actor?: string;
}

/** Which sessions a revocation ended (or was refused for), and who asked. */
export interface SessionRevokedDetails {
  /** `self`, `session`, `role`, `subject` (STS and the CLI), `certificate` (Roles Anywhere). */
  readonly scope?: string;
  readonly resource?: string;
  readonly revokedSession?: string;
  readonly revokedSubject?: string;
  readonly revokedProvider?: string;
  readonly session?: string;
  readonly role?: string;
  readonly subject?: string;
  readonly provider?: string;
  readonly issuedBefore?: string;
  readonly revokedSessions?: number;
  readonly certificateSerial?: string;
  readonly certificateIssuer?: string;
  /** The OAuth client that asked (RFC 7009 revocation, `fedgate logout`). */
  readonly client?: string;
  /** The command or endpoint that asked (`fedgate sessions revoke`, `oauth2/revoke`). */
  readonly by?: string;
}

/** The details of a device authorization decision (RFC 8628). */
export interface DeviceAuditDetails {
  readonly client: string;
  /** The address the device asked for its code from. */
  readonly deviceSourceIp: string;
}

/** How many refusals one count line of the RefusalAggregator stands for. */
export interface AggregatedAuditDetails {
  readonly aggregated: true;
  readonly count: number;
  readonly windowSeconds: number;
}

/**
 * THE audit catalogue (SPEC 8), keyed by event name (noun.verb): the outcome, reason and details each event
 * carries beside the common fields of AuditEventFields. An event written with another event's shape does not
 * typecheck.
 */
export interface AuditEventCatalogue {
  'login.succeeded': {
    readonly outcome: 'success';
    /** The roles the identity may assume. */
    readonly details: { readonly roles: readonly string[] };
  };
  'login.failed': {
    readonly outcome: 'failure';
    /** The IdP domain's reason (`weak-algorithm`, `state-mismatch`…), else the error code. */
    readonly reason: RefusalReason | ErrorCode;
  };
  'role.assumed': {
    readonly outcome: 'success';
    readonly details: CertificateAuditDetails & {
      readonly action: string;
      readonly roleArn: string;
      readonly accessKeyId: string;
      readonly durationSeconds: number;
      readonly sessionPolicy: boolean;
      readonly chain?: number;
      readonly sourceIdentity?: string;
      readonly parentSession?: string;
    };
  };
  'role.refused': {
    readonly outcome: 'denied' | 'failure';
    readonly reason: ErrorCode;
    /** `refusal`: the pipeline's own reason, else the failing step's (a SAML or web-identity rejection). */
    readonly details: CertificateAuditDetails & { readonly action: string; readonly refusal?: RefusalReason };
  };
  'token.exchanged': {
    readonly outcome: 'success';
    readonly details: TokenAuditDetails & {
      readonly expiresIn: number;
      readonly parentSession?: string;
      readonly scope?: readonly string[];
    };
  };
  'token.refused': {
    readonly outcome: 'denied' | 'failure';
    readonly reason: RefusalCatalogues['oauth'] | 'InternalError';
    /** `error`: the RFC 6749 error code the client was answered with. */
    readonly details: TokenAuditDetails & { readonly error?: string };
  };
  'session.revoked': {
    readonly outcome: 'success' | 'failure' | 'denied';
    /** Why it was refused (`AccessDenied`, `NotFound`, `NotIssuedToClient`), or `IdpLogout` (SAML SLO). */
    readonly reason?: ErrorCode | RefusalCatalogues['oauth'] | 'IdpLogout';
    readonly details?: SessionRevokedDetails;
  };
  'authz.denied': {
    readonly outcome: 'denied';
    readonly reason: RefusalCatalogues['authorizer'];
    readonly details?: Readonly<Record<string, string | readonly string[]>> | AggregatedAuditDetails;
  };
  'config.reloaded': { readonly outcome: 'success' };
  'config.rejected': { readonly outcome: 'failure'; readonly reason: ErrorCode };
  'key.rotated': {
    readonly outcome: 'success';
    /** `by`: the command that rotated it (none when the gateway did, on schedule). */
    readonly details: { readonly kid: string; readonly by?: string };
  };
  'portal.logout': {
    readonly outcome: 'success';
    /** `reason: new-sign-in` when a new sign-in in the same browser replaced the portal session. */
    readonly details: { readonly revokedSessions: number; readonly reason?: 'new-sign-in' };
  };
  'device.approved': { readonly outcome: 'success'; readonly details: DeviceAuditDetails };
  'device.denied': { readonly outcome: 'denied'; readonly details: DeviceAuditDetails };
  'activity.capped': {
    readonly outcome: 'failure';
    /** The activity record's limit that was reached. */
    readonly reason: 'maxActionsPerRole' | 'maxResourcesPerAction';
    readonly details: { readonly limit: number; readonly action?: string };
  };
}

/** The audit catalogue's event names (`login.succeeded`, `role.assumed`, `authz.denied`…). */
export type AuditEventName = keyof AuditEventCatalogue;

/** The fields every audit event may carry: who and what it is about, from where; never a credential. */
export interface AuditEventFields<N extends AuditEventName = AuditEventName> {
  readonly event: N;
  readonly principal?: string;
  readonly provider?: string;
  readonly subject?: string;
  readonly role?: string;
  readonly session?: string;
  readonly sourceIp?: string;
  readonly requestId?: string;
}

/** One event of the catalogue: its common fields and the outcome, reason and details its name requires. */
export type AuditEventOf<N extends AuditEventName> = AuditEventFields<N> &
  AuditEventCatalogue[N] &
  // Fields the event's shape does not name are absent, never undefined.
  { readonly [K in Exclude<'reason' | 'details', keyof AuditEventCatalogue[N]>]?: never };

/** One audit event: never a token, assertion, cookie or secret. A union discriminated by `event`. */
export type AuditEvent = { [N in AuditEventName]: AuditEventOf<N> }[AuditEventName];

/** A written audit event: the event plus its time. */
export type AuditRecord = AuditEvent & { readonly time: string };

/** A written audit event of one name (what a reader gets after checking `record.event`). */
export type AuditRecordOf<N extends AuditEventName> = AuditEventOf<N> & { readonly time: string };

/** Where audit events go. */
export interface AuditSink {
  write(record: AuditRecord): void;
  close?(): Promise<void>;
}
