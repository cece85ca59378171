import { NAME_PATTERN } from '../catalog/names.js';
import { createHash } from 'node:crypto';

/** Where the gateway's ARNs live. */
export interface RolesAnywhereScope {
  readonly partition: string;
  readonly account: string;
}

/** The service principals a trust policy names to let certificates in: AWS's, and fedgate's own name for it. */
export const ROLES_ANYWHERE_PRINCIPALS: readonly [string, string] = [
  'rolesanywhere.amazonaws.com',
  'rolesanywhere.fedgate',
];

/** The API action recorded for CreateSession in audit events. */
export const CREATE_SESSION_ACTION = 'rolesanywhere:CreateSession';

type ResourceKind = 'trust-anchor' | 'profile' | 'subject';

function arn(scope: RolesAnywhereScope, kind: ResourceKind, id: string): string {
  return `arn:${scope.partition}:rolesanywhere::${scope.account}:${kind}/${id}`;
}

/** `arn:<partition>:rolesanywhere::<account>:trust-anchor/<id>` */
export function trustAnchorArn(scope: RolesAnywhereScope, id: string): string {
  return arn(scope, 'trust-anchor', id);
}

/** `arn:<partition>:rolesanywhere::<account>:profile/<id>` */
export function profileArn(scope: RolesAnywhereScope, id: string): string {
  return arn(scope, 'profile', id);
}

/** The id an ARN of this kind names in this partition and account; undefined for any other string. */
export function rolesAnywhereIdOf(
  scope: RolesAnywhereScope,
  kind: ResourceKind,
  value: string,
): string | undefined {
  const prefix = arn(scope, kind, '');
  if (!value.startsWith(prefix)) return undefined;
  const id = value.slice(prefix.length);
  return NAME_PATTERN.test(id) ? id : undefined;
}

/**
 * The federated subject of a certificate's sessions: its serial and its issuer, which together name one
 * certificate (RFC 5280 4.1.2.2). Revoking this subject ends every session the certificate opened.
 */
export function certificateSubject(serialHex: string, issuerDn: string): string {
  return `x509:${serialHex}@${issuerDn}`;
}

/** AWS's `subjectArn`: `…:subject/<uuid>`, here a stable UUID-shaped digest of the certificate subject. */
export function subjectArn(scope: RolesAnywhereScope, subject: string): string {
  const hex = createHash('sha256').update(subject).digest('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return arn(scope, 'subject', uuid);
}

/** The `provider` of a certificate session: which trust anchor vouched for it. */
export function anchorProvider(anchorId: string): string {
  return `trust-anchor/${anchorId}`;
}
