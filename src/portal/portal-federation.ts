import type { FederatedIdentity } from '../federation/federated-identity.js';
import type { AssumeRoleResponse } from '../sts/index.js';
import type { RoleChoice } from './portal-pages.js';

/** Where a portal request comes from, for trust conditions and the audit trail. */
export interface PortalRequestContext {
  readonly sourceIp: string;
  readonly requestId: string;
}

/**
 * A role session minted for the browser: the credential the session cookie carries, when it ends, and the STS
 * answer (SPEC 4.3) that `/portal/credentials` hands to a CLI and shows on the credentials page.
 */
export interface PortalCredential {
  /** The signed session credential (the cookie value; the answer's `SessionToken`). */
  readonly token: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  readonly response: AssumeRoleResponse;
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
  }): Promise<PortalCredential>;
}
