import type { FederatedIdentity } from '../federation/federated-identity.js';
import type { RoleChoice } from './portal-pages.js';

/** Where a portal request comes from, for trust conditions and the audit trail. */
export interface PortalRequestContext {
  readonly sourceIp: string;
  readonly requestId: string;
}

/** A role session minted for the browser, in the STS response shape (SPEC 4.3). */
export interface PortalCredentials {
  readonly Credentials: {
    readonly AccessKeyId: string;
    readonly SecretAccessKey: string;
    readonly SessionToken: string;
    readonly Expiration: string;
  };
  readonly AssumedRoleUser: { readonly Arn: string; readonly AssumedRoleId: string };
  readonly [field: string]: unknown;
}

/** What the portal asks of federation: the roles an identity may assume, and a role session for one of them. */
export interface PortalFederation {
  assumableRoles(identity: FederatedIdentity, context: PortalRequestContext): Promise<readonly RoleChoice[]>;
  assume(input: {
    readonly identity: FederatedIdentity;
    readonly roleName: string;
    readonly durationSeconds?: number;
    /** The portal session's handle; its role sessions are revoked with it. */
    readonly portalSessionId: string;
    /** Epoch seconds the role session may not outlive (the portal session's end). */
    readonly notAfter: number;
    readonly context: PortalRequestContext;
  }): Promise<PortalCredentials>;
}
