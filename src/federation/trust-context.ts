import type { ContextValue } from '../policy/index.js';
import type { FederatedIdentity } from './federated-identity.js';
import type { SessionTags } from './session-tags.js';
import { issuerHost, issuerHostPath, type ArnScope } from './trust-principal.js';
import { samlNameQualifier, samlSubjectType } from './session-identifiers.js';
import { isoSeconds } from '../sessions/index.js';

/** A trust policy's request context: condition keys (case-insensitive in the engine) and their values. */
export type TrustContext = Record<string, ContextValue>;

/** What the assume-role request adds to the identity: the session it asks for and where it comes from. */
export interface TrustRequestFacts {
  readonly sessionName: string;
  readonly sourceIdentity?: string;
  /** The tags this request puts on the session (`aws:RequestTag/*`): IdP tags, or the chained request's `Tags`. */
  readonly requestTags: SessionTags;
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIp?: string;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** The calling role session of a chained request, as far as the target's trust policy may look at it. */
export interface ChainCaller {
  readonly principalArn: string;
  readonly roleArn: string;
  readonly provider: string;
  readonly tags: SessionTags;
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity?: string | undefined;
  readonly mfa: boolean;
  readonly authTime?: number | undefined;
}

/**
 * The context keys of SPEC 5.2 for a federated identity: `saml:*` (every attribute as `saml:<name>`) or, for OIDC,
 * every claim as `<provider id>:<claim>` and under the AWS names `<issuer host>:<claim>`; then `fedgate:groups`,
 * MFA, provider, request tags, session name, source identity, source IP and time.
 */
export function trustContextFor(
  identity: FederatedIdentity,
  facts: TrustRequestFacts,
  scope: ArnScope,
): TrustContext {
  const context: TrustContext = {};
  if (identity.providerType === 'saml') addSamlKeys(context, identity, scope);
  else addOidcKeys(context, identity);
  context['fedgate:groups'] = [...identity.groups];
  context['aws:MultiFactorAuthPresent'] = identity.mfa;
  if (identity.mfa) context['aws:MultiFactorAuthAge'] = mfaAge(identity.authTime, facts.now);
  context['aws:FederatedProvider'] = identity.provider;
  addRequestKeys(context, facts);
  return context;
}

/**
 * The context keys for a chained request's trust evaluation: the caller as `aws:PrincipalArn` (its role ARN, as AWS
 * does for assumed roles), its tags as `aws:PrincipalTag/*`, its source identity and MFA, plus the request keys.
 */
export function chainedTrustContext(
  caller: ChainCaller,
  facts: TrustRequestFacts,
  scope: ArnScope,
): TrustContext {
  const context: TrustContext = {};
  context['aws:PrincipalArn'] = caller.roleArn;
  context['aws:PrincipalAccount'] = scope.account;
  context['aws:PrincipalType'] = 'AssumedRole';
  for (const [key, value] of Object.entries(caller.tags)) context[`aws:PrincipalTag/${key}`] = value;
  if (caller.sourceIdentity !== undefined) context['aws:SourceIdentity'] = caller.sourceIdentity;
  context['aws:MultiFactorAuthPresent'] = caller.mfa;
  if (caller.mfa && caller.authTime !== undefined)
    context['aws:MultiFactorAuthAge'] = mfaAge(caller.authTime, facts.now);
  context['aws:FederatedProvider'] = caller.provider;
  addRequestKeys(context, facts);
  return context;
}

/**
 * The `saml:` context keys fedgate sets itself. An attribute with one of these names (in any case) would
 * collide with them, so a SAML provider refuses it (keys are case-insensitive in the policy engine).
 */
export const SAML_RESERVED_CONTEXT_NAMES: readonly string[] = [
  'sub',
  'sub_type',
  'iss',
  'aud',
  'namequalifier',
];

function addSamlKeys(context: TrustContext, identity: FederatedIdentity, scope: ArnScope): void {
  for (const [name, values] of Object.entries(identity.attributes)) {
    const value = valueOf(values, undefined);
    if (value !== undefined) context[`saml:${name}`] = value;
  }
  context['saml:sub'] = identity.subject;
  context['saml:sub_type'] = samlSubjectType(identity.nameIdFormat);
  context['saml:iss'] = identity.issuer;
  if (identity.audience !== undefined) context['saml:aud'] = identity.audience;
  context['saml:namequalifier'] = samlNameQualifier(identity.issuer, scope.account, identity.provider);
}

function addOidcKeys(context: TrustContext, identity: FederatedIdentity): void {
  const prefixes = new Set<string>([identity.provider, issuerHostPath(identity.issuer)]);
  const host = issuerHost(identity.issuer);
  if (host !== undefined) prefixes.add(host);
  const keys: TrustContext = {};
  for (const [name, values] of Object.entries(identity.attributes)) {
    const value = valueOf(values, identity.claims?.[name]);
    if (value !== undefined) keys[name] = value;
  }
  keys['sub'] = identity.attributes['sub']?.[0] ?? identity.subject;
  if (identity.audience !== undefined) keys['aud'] = identity.audience;
  keys['amr'] = [...identity.amr];
  for (const prefix of prefixes) {
    for (const [name, value] of Object.entries(keys)) context[`${prefix}:${name}`] = value;
  }
}

/**
 * The keys the assume-role request itself contributes (tags, session name, source identity, source IP, time):
 * what the caller's own policies see when they are asked whether it may assume, tag or set a source identity.
 */
export function requestContextKeys(facts: TrustRequestFacts): TrustContext {
  const context: TrustContext = {};
  addRequestKeys(context, facts);
  return context;
}

function addRequestKeys(context: TrustContext, facts: TrustRequestFacts): void {
  const tagKeys = Object.keys(facts.requestTags);
  for (const key of tagKeys) context[`aws:RequestTag/${key}`] = facts.requestTags[key] ?? '';
  if (tagKeys.length > 0) context['aws:TagKeys'] = tagKeys;
  if (facts.transitiveTagKeys.length > 0) context['sts:TransitiveTagKeys'] = [...facts.transitiveTagKeys];
  context['sts:RoleSessionName'] = facts.sessionName;
  if (facts.sourceIdentity !== undefined) context['sts:SourceIdentity'] = facts.sourceIdentity;
  if (facts.sourceIp !== undefined) context['aws:SourceIp'] = facts.sourceIp;
  const second = Math.floor(facts.now / 1000);
  context['aws:CurrentTime'] = isoSeconds(second);
  context['aws:EpochTime'] = String(second);
}

/** Array claims stay multi-valued; a single value is single-valued so `StringEquals`/`StringLike` match it. */
function valueOf(values: readonly string[], raw: unknown): ContextValue | undefined {
  if (values.length === 0) return undefined;
  if (Array.isArray(raw) || values.length > 1) return [...values];
  return values[0];
}

function mfaAge(authTime: number, now: number): string {
  return String(Math.max(0, Math.floor(now / 1000) - authTime));
}
