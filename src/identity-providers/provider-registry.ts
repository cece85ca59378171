import type { GatewayConfig, OidcProviderConfig, SamlProviderConfig } from '../config/index.js';
import type { Store } from '../store/index.js';
import { SamlServiceProvider, type SamlProviderOptions } from './saml/index.js';
import { OidcRelyingParty, type OidcProviderOptions } from './oidc/index.js';
import { WebIdentityVerifier, type WebIdentityProviderOptions } from './web-identity/index.js';

/** The identity providers of one configuration, ready to use: SAML SPs, OIDC RPs and the web-identity verifier. */
export class ProviderRegistry {
  readonly saml: ReadonlyMap<string, SamlServiceProvider>;
  readonly oidc: ReadonlyMap<string, OidcRelyingParty>;
  readonly webIdentity: WebIdentityVerifier;
  /** Browser-login providers in configuration order, for the portal's sign-in page. */
  readonly browserProviders: readonly { id: string; type: 'saml' | 'oidc'; displayName: string }[];

  private constructor(
    saml: ReadonlyMap<string, SamlServiceProvider>,
    oidc: ReadonlyMap<string, OidcRelyingParty>,
    webIdentity: WebIdentityVerifier,
    browserProviders: ProviderRegistry['browserProviders'],
  ) {
    this.saml = saml;
    this.oidc = oidc;
    this.webIdentity = webIdentity;
    this.browserProviders = browserProviders;
  }

  /** Builds every configured provider. OIDC discovery is lazy, so an unreachable IdP does not stop the gateway. */
  static async fromConfig(
    config: GatewayConfig,
    deps: { store: Store; now?: () => number; fetch?: typeof fetch },
  ): Promise<ProviderRegistry> {
    const saml = new Map<string, SamlServiceProvider>();
    const oidc = new Map<string, OidcRelyingParty>();
    const webIdentityProviders: WebIdentityProviderOptions[] = [];
    const browserProviders: { id: string; type: 'saml' | 'oidc'; displayName: string }[] = [];
    const depsWithoutFetch = { store: deps.store, ...(deps.now === undefined ? {} : { now: deps.now }) };
    for (const provider of config.identityProviders) {
      if (provider.type === 'saml') {
        saml.set(
          provider.id,
          await SamlServiceProvider.create(samlOptions(config.publicUrl, provider), {
            ...depsWithoutFetch,
            ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
          }),
        );
        browserProviders.push({
          id: provider.id,
          type: 'saml',
          displayName: provider.displayName ?? provider.id,
        });
        continue;
      }
      webIdentityProviders.push(webIdentityOptions(provider));
      if (!provider.webIdentityOnly && provider.clientId !== undefined) {
        oidc.set(
          provider.id,
          await OidcRelyingParty.create(oidcOptions(config.publicUrl, provider), depsWithoutFetch),
        );
        browserProviders.push({
          id: provider.id,
          type: 'oidc',
          displayName: provider.displayName ?? provider.id,
        });
      }
    }
    const webIdentity = new WebIdentityVerifier(webIdentityProviders, {
      ...depsWithoutFetch,
      ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
    });
    return new ProviderRegistry(saml, oidc, webIdentity, browserProviders);
  }

  /** Stops metadata refresh timers. */
  close(): void {
    for (const provider of this.saml.values()) provider.close();
  }
}

function samlOptions(publicUrl: string, provider: SamlProviderConfig): SamlProviderOptions {
  const base = `${publicUrl}/saml/${provider.id}`;
  return {
    id: provider.id,
    issuer: provider.issuer,
    ...(provider.entryPoint === undefined ? {} : { entryPoint: provider.entryPoint }),
    ...(provider.metadataUrl === undefined ? {} : { metadataUrl: provider.metadataUrl }),
    metadataRefreshSeconds: provider.metadataRefresh,
    allowIdpInitiated: provider.allowIdpInitiated,
    idpCertificates: [...provider.idpCertificates],
    wantAssertionsSigned: provider.wantAssertionsSigned,
    wantResponseSigned: provider.wantResponseSigned,
    signAuthnRequests: provider.signAuthnRequests,
    ...(provider.signingKey === undefined ? {} : { signingKey: provider.signingKey }),
    ...(provider.signingCertificate === undefined ? {} : { signingCertificate: provider.signingCertificate }),
    ...(provider.decryptionKey === undefined ? {} : { decryptionKey: provider.decryptionKey }),
    ...(provider.decryptionCertificate === undefined
      ? {}
      : { decryptionCertificate: provider.decryptionCertificate }),
    subject: provider.subject,
    ...(provider.groups === undefined ? {} : { groups: provider.groups }),
    ...(provider.sessionName === undefined ? {} : { sessionName: provider.sessionName }),
    tags: { ...provider.tags },
    mfaAuthnContexts: [...provider.mfaAuthnContexts],
    ...(provider.sloUrl === undefined ? {} : { sloUrl: provider.sloUrl }),
    allowSha1: provider.allowSha1,
    maxAssertionAgeSeconds: provider.maxAssertionAge,
    spEntityId: `${base}/metadata`,
    acsUrl: `${base}/acs`,
    sloCallbackUrl: `${base}/slo`,
  };
}

function oidcOptions(publicUrl: string, provider: OidcProviderConfig): OidcProviderOptions {
  return {
    id: provider.id,
    issuer: provider.issuer,
    clientId: provider.clientId ?? '',
    ...(provider.clientSecret === undefined ? {} : { clientSecret: provider.clientSecret }),
    scopes: [...provider.scopes],
    redirectUri: `${publicUrl}/oidc/${provider.id}/callback`,
    subject: provider.subject,
    ...(provider.groups === undefined ? {} : { groups: provider.groups }),
    ...(provider.sessionName === undefined ? {} : { sessionName: provider.sessionName }),
    tags: { ...provider.tags },
    userinfo: provider.userinfo,
    allowedAlgorithms: [...provider.allowedAlgorithms],
  };
}

function webIdentityOptions(provider: OidcProviderConfig): WebIdentityProviderOptions {
  return {
    id: provider.id,
    issuer: provider.issuer,
    audiences: [...(provider.audiences ?? [])],
    ...(provider.jwksUri === undefined ? {} : { jwksUri: provider.jwksUri }),
    allowedAlgorithms: [...provider.allowedAlgorithms],
    replayProtection: provider.replayProtection,
    subject: provider.subject,
    ...(provider.groups === undefined ? {} : { groups: provider.groups }),
    ...(provider.sessionName === undefined ? {} : { sessionName: provider.sessionName }),
    tags: { ...provider.tags },
  };
}
