import type { PrincipalIdentity } from '../policy/index.js';
import type { FederatedIdentity } from './federated-identity.js';

/** Where the gateway's ARNs live: `arn:<partition>:…:<account>:…`. */
export interface ArnScope {
  readonly partition: string;
  readonly account: string;
}

/** A caller's role session as trust policies see it when it assumes another role (role chaining). */
export interface CallerSessionPrincipal {
  /** `arn:<p>:sts::<acct>:assumed-role/<role>/<session>` */
  readonly principalArn: string;
  /** `arn:<p>:iam::<acct>:role/<role>` */
  readonly roleArn: string;
}

/**
 * The host (and path) of an issuer URL, as AWS names OIDC providers: `https://token.actions.githubusercontent.com`
 * → `token.actions.githubusercontent.com`, `https://oidc.eks.example.com/id/ABC/` → `oidc.eks.example.com/id/ABC`.
 * An issuer that is not a URL (a SAML entity id such as `urn:example`) is returned unchanged.
 */
export function issuerHostPath(issuer: string): string {
  try {
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return issuer;
    const path = url.pathname.replace(/\/+$/, '');
    return `${url.host}${path}`;
  } catch {
    return issuer;
  }
}

/** The bare host of an issuer URL (no path), or undefined when the issuer is not an http(s) URL. */
export function issuerHost(issuer: string): string | undefined {
  try {
    const url = new URL(issuer);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/** The provider's ARN as AWS writes it: `…:saml-provider/<id>` or `…:oidc-provider/<issuer host+path>`. */
export function providerArn(
  identity: Pick<FederatedIdentity, 'provider' | 'providerType' | 'issuer'>,
  scope: ArnScope,
): string {
  const base = `arn:${scope.partition}:iam::${scope.account}`;
  return identity.providerType === 'saml'
    ? `${base}:saml-provider/${identity.provider}`
    : `${base}:oidc-provider/${issuerHostPath(identity.issuer)}`;
}

/**
 * The `Federated` principal of a federated identity. A trust policy names a provider exactly (issue 13, rule 8):
 * by its configured id, by its ARN (`…:saml-provider/<id>`, `…:oidc-provider/<issuer without scheme, path
 * included>`), or, for OIDC, by the issuer without scheme as AWS writes `accounts.google.com`. A bare host is
 * not a name of a provider whose issuer has a path: two providers on one host stay two principals.
 */
export function federatedPrincipal(identity: FederatedIdentity, scope: ArnScope): PrincipalIdentity {
  const aliases = new Set<string>([providerArn(identity, scope)]);
  if (identity.providerType === 'oidc') aliases.add(issuerHostPath(identity.issuer));
  aliases.delete(identity.provider);
  return { type: 'Federated', id: identity.provider, aliases: [...aliases] };
}

/** The `AWS` principal of a role session that assumes another role: its session ARN, aliased by its role ARN. */
export function callerSessionPrincipal(caller: CallerSessionPrincipal, scope: ArnScope): PrincipalIdentity {
  return { type: 'AWS', id: caller.principalArn, aliases: [caller.roleArn], account: scope.account };
}
