import type { FederatedIdentity } from '../federation/federated-identity.js';
import type { AssumeRoleResponse, StsService } from '../sts/index.js';
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

/**
 * The portal's federation over the STS service: the same trust, tag, policy and lifetime rules as the STS API.
 * The STS takes `notAfter` in epoch milliseconds; the portal keeps epoch seconds up to this boundary.
 */
export function stsPortalFederation(
  sts: Pick<StsService, 'assumableRoles' | 'assumeRoleForIdentity'>,
): PortalFederation {
  return {
    assumableRoles: async (identity, context) =>
      sts.assumableRoles(identity, context).map((role) => ({
        name: role.name,
        arn: role.arn,
        ...(role.description === undefined ? {} : { description: role.description }),
        ...(role.appUrl === undefined ? {} : { appUrl: role.appUrl }),
      })),
    assume: async (input) => {
      const minted = await sts.assumeRoleForIdentity(input.identity, input.roleName, {
        durationSeconds: input.durationSeconds,
        notAfter: input.notAfter * 1000,
        portalSessionId: input.portalSessionId,
        sourceIp: input.context.sourceIp,
        requestId: input.context.requestId,
      });
      return { token: minted.token, expiresAt: minted.session.expiresAt, response: minted.response };
    },
  };
}
