/** The audit catalogue (SPEC 8): every security-relevant event, named noun.verb. */
export type AuditEventName =
  | 'login.succeeded'
  | 'login.failed'
  | 'role.assumed'
  | 'role.refused'
  | 'token.exchanged'
  | 'token.refused'
  | 'session.revoked'
  | 'authz.denied'
  | 'config.reloaded'
  | 'config.rejected'
  | 'key.rotated'
  | 'portal.logout'
  | 'device.approved'
  | 'device.denied'
  | 'activity.capped';

/** One audit event: never a token, assertion, cookie or secret. */
export interface AuditEvent {
  readonly event: AuditEventName;
  readonly outcome: 'success' | 'failure' | 'denied';
  readonly principal?: string;
  readonly provider?: string;
  readonly subject?: string;
  readonly role?: string;
  readonly session?: string;
  readonly sourceIp?: string;
  readonly requestId?: string;
  /** Stable reason code for refusals and denials (`ExplicitDeny`, `InvalidIdentityToken`…). */
  readonly reason?: string;
  /** Extra non-secret fields (action, resource, audience, client id, key id…). */
  readonly details?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
}

/** A written audit event: the event plus its time. */
export interface AuditRecord extends AuditEvent {
  readonly time: string;
}

/** Where audit events go. */
export interface AuditSink {
  write(record: AuditRecord): void;
  close?(): Promise<void>;
}
