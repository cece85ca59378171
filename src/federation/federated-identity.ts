/** Whether a provider speaks SAML 2.0 or OpenID Connect. */
export type ProviderType = 'saml' | 'oidc';

/**
 * What one successful IdP login (or one verified web-identity token) proves (SPEC 5.1).
 * Attribute values are always arrays so multi-valued SAML attributes and OIDC array claims are kept.
 */
export interface FederatedIdentity {
  /** The configured provider id. */
  readonly provider: string;
  readonly providerType: ProviderType;
  /** The provider's issuer / entity id. */
  readonly issuer: string;
  /** The subject as configured (`nameID`, `attr:<name>`, `claim:<name>`). */
  readonly subject: string;
  /** Every SAML attribute or OIDC claim, by its name, multi-valued kept. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** Raw OIDC claims (objects kept) for claims such as `https://aws.amazon.com/tags`. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly groups: readonly string[];
  /** Authentication methods (`amr`), or the SAML AuthnContextClassRef. */
  readonly amr: readonly string[];
  /** True when the IdP says a second factor was used. */
  readonly mfa: boolean;
  /** Authentication time, epoch seconds. */
  readonly authTime: number;
  /** SAML only: NameID format, name qualifier, audience. OIDC: audience. */
  readonly nameIdFormat?: string;
  readonly nameQualifier?: string;
  readonly audience?: string;
  /** Session name from the provider's `sessionName` mapping (defaults to the subject). */
  readonly sessionName?: string;
  /** Tags from the provider's `tags` mapping and AWS-style tag attributes/claims. */
  readonly tags?: Readonly<Record<string, string>>;
  readonly transitiveTagKeys?: readonly string[];
  /** AWS SAML `SourceIdentity` attribute / requested source identity. */
  readonly sourceIdentity?: string;
  /** AWS SAML `Role` attribute: the role ARNs the IdP restricts the choice to. */
  readonly allowedRoleArns?: readonly string[];
  /** AWS SAML `SessionDuration`, seconds. */
  readonly sessionDuration?: number;
}

/**
 * A federated identity proven by a verified web-identity JWT, with the token's own expiry: a credential
 * exchanged from it must not outlive the token, and the token need not be decoded again to learn that.
 */
export interface VerifiedWebIdentity extends FederatedIdentity {
  /** The token's `exp`, epoch seconds (verification requires it). */
  readonly expiresAt: number;
}
