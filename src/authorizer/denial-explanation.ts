import type { BlockingLayer, Decision } from '../policy/index.js';
import type { RoleSession } from '../sessions/index.js';

/** The portal page that simulates a request for a role (`GET`, pre-filled from its query). */
export const SIMULATOR_PATH = '/portal/simulator';

/** Context keys carried into the simulator link at most (the simulator accepts 50 entries). */
const MAX_LINK_CONTEXT = 40;

/**
 * What the person whose own request was denied may learn about it, as AWS's same-account "access denied"
 * messages tell it: the policy type (layer) that denied, for an explicit deny the policy's name and the Sid of
 * the denying statement, and a link to the simulator for the same request. Never the policy text, its
 * conditions or the context keys it wanted.
 */
export interface DenialExplanation {
  /** The layer that denied (`guardrail`, `boundary`, `session`, `identity`, `resource`). */
  readonly layer: BlockingLayer;
  /** The denying statement on an ExplicitDeny (its policy's configuration name and its Sid, if it has one). */
  readonly statement?: { readonly policy: string; readonly sid?: string };
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** The portal's simulator pre-filled with this request and the session's MFA state and tags. */
  readonly simulatorUrl: string;
}

/** The explanation of a deny decision of `session`'s request; undefined for an Allow. */
export function explainDenial(
  decision: Decision,
  session: RoleSession,
  request: { readonly action: string; readonly resource: string },
  publicUrl: string,
): DenialExplanation | undefined {
  if (decision.decision === 'Allow') return undefined;
  const first = decision.decision === 'ExplicitDeny' ? decision.matchedStatements[0] : undefined;
  // A decision without a layer is a session whose role is gone: nothing in any policy decided it.
  const layer = decision.blockedBy ?? 'identity';
  return {
    layer,
    ...(first === undefined
      ? {}
      : {
          statement:
            first.sid === undefined ? { policy: first.policy } : { policy: first.policy, sid: first.sid },
        }),
    principal: session.principalArn,
    action: request.action,
    resource: request.resource,
    simulatorUrl: simulatorLink(publicUrl, session, request),
  };
}

/** `<publicUrl>/portal/simulator?principal=…&action=…&resource=…&context=…` for a session's request. */
export function simulatorLink(
  publicUrl: string,
  session: RoleSession,
  request: { readonly action: string; readonly resource: string },
): string {
  const query = new URLSearchParams({
    principal: session.principalArn,
    action: request.action,
    resource: request.resource,
  });
  const context = [`aws:MultiFactorAuthPresent=${session.mfa ? 'true' : 'false'}`];
  for (const [key, value] of Object.entries(session.tags)) {
    if (context.length >= MAX_LINK_CONTEXT) break;
    context.push(`aws:PrincipalTag/${key}=${value}`);
  }
  query.set('context', context.join('\n'));
  return `${publicUrl.replace(/\/+$/, '')}${SIMULATOR_PATH}?${query.toString()}`;
}
