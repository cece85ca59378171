import { FedgateError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/index.js';
import type { FederatedIdentity } from '../../federation/federated-identity.js';
import { claimValues, parseClaimMapping } from './claim-mapping.js';

/** How a provider's claims become identity fields; every mapping is `claim:<name>`. */
export interface ClaimMappings {
  readonly subject: string;
  readonly groups?: string | undefined;
  readonly sessionName?: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** What claimsToIdentity needs besides the verified claims. */
export interface ClaimsToIdentityInput {
  /** The configured provider id. */
  readonly provider: string;
  readonly issuer: string;
  /** The audience fedgate was accepted as (client id or matched audience). */
  readonly audience: string;
  /** Claims already verified (signature, iss, aud, time) by the caller. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly mappings: ClaimMappings;
  /** Epoch seconds; the authentication time when the token carries neither `auth_time` nor `iat`. */
  readonly nowSeconds: number;
  /** The error code a missing subject is reported with (login vs web identity). */
  readonly rejectAs: Extract<ErrorCode, 'InvalidOidcResponse' | 'InvalidIdentityToken'>;
}

/** The claim AWS reads session tags from (SPEC 5.3). */
export const AWS_TAGS_CLAIM = 'https://aws.amazon.com/tags';

/**
 * RFC 8176 `amr` values that prove a factor beyond a password: an explicit `mfa`/`mca`, or a
 * possession or inherence factor (one-time code, hardware/software key, SMS/phone, smart card, biometrics).
 */
export const MFA_AMR_VALUES: ReadonlySet<string> = new Set([
  'mfa',
  'mca',
  'otp',
  'hwk',
  'swk',
  'sms',
  'tel',
  'sc',
  'fpt',
  'face',
  'iris',
  'retina',
  'vbm',
]);

/** True when the `amr` list says a second factor was used. */
export function amrMeansMfa(amr: readonly string[]): boolean {
  return amr.some((method) => MFA_AMR_VALUES.has(method));
}

function firstValue(claims: Readonly<Record<string, unknown>>, mapping: string): string | undefined {
  const values = claimValues(claims[parseClaimMapping(mapping)]);
  return values.length === 0 ? undefined : values.join(',');
}

function numericClaim(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Session tags and transitive keys from the AWS `https://aws.amazon.com/tags` claim; malformed parts ignored. */
export function awsTagsFromClaim(value: unknown): {
  tags: Record<string, string>;
  transitiveTagKeys: string[];
} {
  const tags: Record<string, string> = {};
  const transitiveTagKeys: string[] = [];
  if (!isRecord(value)) return { tags, transitiveTagKeys };
  const principalTags = value['principal_tags'];
  if (isRecord(principalTags)) {
    for (const [key, raw] of Object.entries(principalTags)) {
      // AWS sends each value as a one-element array; a scalar is accepted, a list of several is not a tag.
      const values = claimValues(raw);
      if (values.length === 1 && values[0] !== undefined) tags[key] = values[0];
    }
  }
  const transitive = value['transitive_tag_keys'];
  if (Array.isArray(transitive)) {
    for (const key of transitive) if (typeof key === 'string') transitiveTagKeys.push(key);
  }
  return { tags, transitiveTagKeys };
}

/**
 * Normalises verified OIDC claims into a federated identity (SPEC 5.1): every claim kept (as string lists in
 * `attributes`, raw in `claims`), the configured subject/groups/sessionName/tags mappings, `amr` and MFA,
 * authentication time, and the AWS tags claim. Tags from the provider's mapping win over the AWS claim,
 * so an administrator's mapping is never overridden by what the IdP sends.
 */
export function claimsToIdentity(input: ClaimsToIdentityInput): FederatedIdentity {
  const { claims, mappings } = input;
  const subject = firstValue(claims, mappings.subject);
  if (subject === undefined || subject === '') {
    throw new FedgateError(input.rejectAs, 'The identity provider did not send the subject claim.', {
      reason: 'missing-subject',
    });
  }

  const attributes: Record<string, readonly string[]> = {};
  for (const [name, value] of Object.entries(claims)) attributes[name] = claimValues(value);

  const groups = mappings.groups === undefined ? [] : claimValues(claims[parseClaimMapping(mappings.groups)]);
  const amr = claimValues(claims['amr']);
  const authTime = numericClaim(claims['auth_time']) ?? numericClaim(claims['iat']) ?? input.nowSeconds;

  const aws = awsTagsFromClaim(claims[AWS_TAGS_CLAIM]);
  const tags: Record<string, string> = { ...aws.tags };
  for (const [key, mapping] of Object.entries(mappings.tags)) {
    const value = firstValue(claims, mapping);
    if (value !== undefined) tags[key] = value;
  }
  const sessionName =
    mappings.sessionName === undefined ? undefined : firstValue(claims, mappings.sessionName);

  return {
    provider: input.provider,
    providerType: 'oidc',
    issuer: input.issuer,
    subject,
    attributes,
    claims: { ...claims },
    groups,
    amr,
    mfa: amrMeansMfa(amr),
    authTime,
    audience: input.audience,
    ...(sessionName === undefined ? {} : { sessionName }),
    ...(Object.keys(tags).length === 0 ? {} : { tags }),
    ...(aws.transitiveTagKeys.length === 0 ? {} : { transitiveTagKeys: aws.transitiveTagKeys }),
  };
}
