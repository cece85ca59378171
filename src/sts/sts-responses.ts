import type { IssuedCredential } from '../sessions/index.js';
import { assumedRoleIdFor, isoSeconds } from '../sessions/index.js';

/** AWS STS `Credentials`. */
export interface StsCredentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  /** The session credential (JWT). */
  readonly SessionToken: string;
  /** ISO 8601, seconds precision (`2026-11-22T12:00:00Z`). */
  readonly Expiration: string;
}

/** AWS STS `AssumedRoleUser`. */
export interface AssumedRoleUser {
  /** `arn:<p>:sts::<acct>:assumed-role/<role>/<session>` */
  readonly Arn: string;
  /** `<roleId>:<sessionName>` */
  readonly AssumedRoleId: string;
}

/** The answer of every assume-role call (SPEC 4.3). */
export interface AssumeRoleResponse {
  readonly Credentials: StsCredentials;
  readonly AssumedRoleUser: AssumedRoleUser;
  /** Only when the session has a source identity. */
  readonly SourceIdentity?: string;
  /** Percent of the packed limit used by session policies and tags. */
  readonly PackedPolicySize: number;
}

/** `assume-role-with-web-identity` adds the token's provider, subject and audience. */
export interface AssumeRoleWithWebIdentityResponse extends AssumeRoleResponse {
  readonly Provider: string;
  readonly SubjectFromWebIdentityToken: string;
  readonly Audience: string;
}

/** `assume-role-with-saml` adds the assertion's subject, its type, the issuer, the audience and AWS's qualifier. */
export interface AssumeRoleWithSamlResponse extends AssumeRoleResponse {
  readonly Subject: string;
  readonly SubjectType: string;
  readonly Issuer: string;
  readonly Audience: string;
  readonly NameQualifier: string;
}

/** `GET /sts/caller-identity`. */
export interface CallerIdentityResponse {
  readonly Arn: string;
  /** `<roleId>:<sessionName>`, as AWS's `UserId` of an assumed role. */
  readonly UserId: string;
  readonly Account: string;
}

/** DecodeAuthorizationMessage: the explanation as JSON text, as AWS returns it. */
export interface DecodeAuthorizationMessageResponse {
  readonly DecodedMessage: string;
}

/** `POST /sts/revoke`: what was revoked. */
export interface RevokeResponse {
  readonly Revoked:
    | { readonly SessionId: string; readonly WasLive: boolean }
    | { readonly RoleName: string; readonly IssuedBefore: string }
    | { readonly Subject: string; readonly Provider?: string };
}

/** `2026-11-22T12:00:00Z`: AWS's timestamp form, without milliseconds. */
export function awsTimestamp(date: Date): string {
  return isoSeconds(Math.floor(date.getTime() / 1000));
}

/** The common part of an assume-role answer for a freshly issued credential. */
export function assumeRoleResponse(issued: IssuedCredential, packedPolicySize: number): AssumeRoleResponse {
  const { session } = issued;
  return {
    Credentials: {
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.token,
      Expiration: awsTimestamp(issued.expiration),
    },
    AssumedRoleUser: { Arn: session.principalArn, AssumedRoleId: assumedRoleIdFor(session) },
    ...(session.sourceIdentity === undefined ? {} : { SourceIdentity: session.sourceIdentity }),
    PackedPolicySize: packedPolicySize,
  };
}
