import { SAML, ValidateInResponseTo, generateServiceProviderMetadata } from '@node-saml/node-saml';
// node-saml's own signature check (xml-crypto over its own DOM); the package has no exports map for it.
import { parseDomFromString, validateSignature } from '@node-saml/node-saml/lib/xml.js';
import type { CacheProvider, Profile, SamlConfig } from '@node-saml/node-saml';
import type { Element } from '@xmldom/xmldom';
import type { FederatedIdentity } from '../../federation/federated-identity.js';
import type { Store } from '../../store/store.js';
import { readAssertion } from './saml-assertion.js';
import type { SamlAssertion } from './saml-assertion.js';
import { checkAssertion, checkResponseEnvelope } from './saml-checks.js';
import type { InResponseToExpectation } from './saml-checks.js';
import { samlAssertionToIdentity } from './saml-identity.js';
import type { SamlIdentityMapping } from './saml-identity.js';
import { fetchIdpMetadata } from './saml-idp-metadata.js';
import { assertSingleValuedQuery, checkLogoutMessage, readLogoutMessage } from './saml-logout.js';
import type { SamlLogoutMessage, SamlLogoutResult, SamlLogoutSubject } from './saml-logout.js';
import {
  DEFAULT_METADATA_REFRESH_SECONDS,
  METADATA_FETCH_TIMEOUT_MS,
  SAML_CLOCK_SKEW_MS,
  assertUsableOptions,
} from './saml-provider-options.js';
import type { SamlProviderOptions } from './saml-provider-options.js';
import { samlRejection, translateLibraryError } from './saml-rejection.js';
import {
  SAML_REQUEST_TTL_MS,
  createStoreCacheProvider,
  samlAssertionKey,
  samlLogoutRequestKey,
  samlRequestKey,
} from './saml-request-cache.js';
import {
  DSIG_NS,
  SAMLP_NS,
  SAML_NS,
  attributeOf,
  childElements,
  decodeBase64Field,
  inflateRedirectMessage,
  isSamlElement,
  optionalChild,
  parseSamlXml,
  utf8,
} from './saml-xml.js';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const UNSPECIFIED_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
const MAX_RELAY_STATE = 2048;

/** Dependencies of a SAML service provider; `now` (epoch ms) is injected by tests. */
export interface SamlServiceProviderDeps {
  readonly store: Store;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  /** Told when a metadata fetch fails (the last good metadata stays in use); for logging. */
  readonly onMetadataError?: (error: unknown) => void;
}

/** What a browser login proves, plus what single logout needs later. */
export type SamlLogin = FederatedIdentity & {
  readonly relayState?: string;
  readonly sessionIndex?: string;
  readonly nameIdValue: string;
};

/** The IdP as currently known: from options, refreshed from metadata. */
interface IdpState {
  readonly entryPoint: string | undefined;
  readonly sloUrl: string | undefined;
  readonly certificates: readonly string[];
}

/** node-saml instances built for one IdP state. */
interface LibraryClients {
  /** SP-initiated: InResponseTo always required and taken from the store. */
  readonly solicited: SAML;
  /** IdP-initiated and AssumeRoleWithSAML: no request to answer. */
  readonly unsolicited: SAML;
  /** Logout messages; signs them whenever a signing key is configured. */
  readonly logout: SAML;
}

type Mode = 'browser' | 'sts';

/**
 * One configured SAML IdP seen from fedgate, the service provider: AuthnRequests, the assertion consumer,
 * AssumeRoleWithSAML verification, SP metadata and single logout. node-saml verifies signatures and
 * decrypts; every check it leaves open (Destination, Recipient, Issuer, validity with our clock, replay)
 * is done here against the store, so it holds across gateway instances.
 */
export class SamlServiceProvider {
  readonly id: string;
  private readonly options: SamlProviderOptions;
  private readonly store: Store;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly cacheProvider: CacheProvider;
  private readonly mapping: SamlIdentityMapping;
  private idp: IdpState | undefined;
  private clients: LibraryClients | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  private constructor(options: SamlProviderOptions, deps: SamlServiceProviderDeps) {
    this.id = options.id;
    this.options = options;
    this.store = deps.store;
    this.now = deps.now ?? Date.now;
    this.fetchImpl = deps.fetch ?? fetch;
    this.cacheProvider = createStoreCacheProvider(deps.store, options.id, this.now);
    this.mapping = {
      providerId: options.id,
      idpEntityId: options.issuer,
      spEntityId: options.spEntityId,
      subject: options.subject,
      tags: options.tags,
      mfaAuthnContexts: options.mfaAuthnContexts,
      ...(options.groups === undefined ? {} : { groups: options.groups }),
      ...(options.sessionName === undefined ? {} : { sessionName: options.sessionName }),
    };
  }

  /**
   * Builds the provider. With `metadataUrl` the metadata is fetched once now; if that fails the provider
   * still starts (configured values, or refusing logins with a 503) and keeps retrying on the refresh period.
   */
  static async create(
    options: SamlProviderOptions,
    deps: SamlServiceProviderDeps,
  ): Promise<SamlServiceProvider> {
    assertUsableOptions(options);
    const provider = new SamlServiceProvider(options, deps);
    if (
      options.idpCertificates.length > 0 &&
      (options.entryPoint !== undefined || options.metadataUrl === undefined)
    ) {
      provider.useIdp({
        entryPoint: options.entryPoint,
        sloUrl: options.sloUrl,
        certificates: options.idpCertificates,
      });
    }
    if (options.metadataUrl !== undefined) {
      const report = (error: unknown): void => deps.onMetadataError?.(error);
      await provider.refreshIdpMetadata().catch(report);
      const periodMs = (options.metadataRefreshSeconds ?? DEFAULT_METADATA_REFRESH_SECONDS) * 1000;
      provider.refreshTimer = setInterval(() => void provider.refreshIdpMetadata().catch(report), periodMs);
      provider.refreshTimer.unref();
    }
    return provider;
  }

  /** True once the IdP's endpoint and certificates are known (readiness). */
  isReady(): boolean {
    return this.clients !== undefined;
  }

  /**
   * Fetches `metadataUrl` again and switches to it. On failure the last good metadata stays in use and
   * the error is returned to the caller (the periodic refresh ignores it).
   */
  async refreshIdpMetadata(): Promise<void> {
    const url = this.options.metadataUrl;
    if (url === undefined) return;
    const metadata = await fetchIdpMetadata(
      url,
      this.options.issuer,
      this.fetchImpl,
      METADATA_FETCH_TIMEOUT_MS,
    );
    const certificates = [...new Set([...this.options.idpCertificates, ...metadata.certificates])];
    this.useIdp({
      entryPoint: this.options.entryPoint ?? metadata.ssoUrl,
      sloUrl: this.options.sloUrl ?? metadata.sloUrl,
      certificates,
    });
  }

  /** The SP metadata XML for `GET /saml/:idp/metadata`. */
  metadataXml(): string {
    const { options } = this;
    return generateServiceProviderMetadata({
      issuer: options.spEntityId,
      callbackUrl: options.acsUrl,
      logoutCallbackUrl: options.sloCallbackUrl,
      wantAssertionsSigned: options.wantAssertionsSigned,
      identifierFormat: null,
      decryptionCert: options.decryptionCertificate ?? null,
      publicCerts: options.signingCertificate ?? null,
      ...(options.decryptionKey === undefined ? {} : { decryptionPvk: options.decryptionKey }),
      ...(options.signingKey === undefined ? {} : { privateKey: options.signingKey }),
    });
  }

  /** The IdP URL that starts an SP-initiated login; the AuthnRequest id is recorded in the store. */
  async authorizeUrl(relayState: string): Promise<string> {
    const { solicited } = this.requireClients();
    try {
      return await solicited.getAuthorizeUrlAsync(relayState, undefined, {});
    } catch (error) {
      throw translateLibraryError(error);
    }
  }

  /** The assertion consumer (HTTP-POST binding): verifies the response and returns the identity. */
  async consumeResponse(form: {
    readonly SAMLResponse?: unknown;
    readonly RelayState?: unknown;
  }): Promise<SamlLogin> {
    const relayState = optionalRelayState(form.RelayState);
    const xml = utf8(decodeBase64Field(form.SAMLResponse));
    const { assertion, identity } = await this.verify(xml, 'browser');
    const nameIdValue = assertion.nameId?.value ?? identity.subject;
    return {
      ...identity,
      nameIdValue,
      ...(relayState === undefined ? {} : { relayState }),
      ...(assertion.sessionIndex === undefined ? {} : { sessionIndex: assertion.sessionIndex }),
    };
  }

  /** AssumeRoleWithSAML: the same checks as a browser login except InResponseTo, including the replay cache. */
  async verifyStsAssertion(samlResponseBase64: string): Promise<FederatedIdentity> {
    const xml = utf8(decodeBase64Field(samlResponseBase64));
    return (await this.verify(xml, 'sts')).identity;
  }

  /** SP-initiated single logout: the IdP URL carrying our LogoutRequest, or undefined when the IdP has no SLO. */
  async logoutRequestUrl(subject: SamlLogoutSubject, relayState = ''): Promise<string | undefined> {
    if (this.idp?.sloUrl === undefined) return undefined;
    const { logout } = this.requireClients();
    const profile: Profile = {
      issuer: this.options.spEntityId,
      nameID: subject.nameIdValue,
      nameIDFormat: subject.nameIdFormat ?? UNSPECIFIED_NAME_ID,
      ...(subject.nameQualifier === undefined ? {} : { nameQualifier: subject.nameQualifier }),
      ...(subject.sessionIndex === undefined ? {} : { sessionIndex: subject.sessionIndex }),
    };
    try {
      return await logout.getLogoutUrlAsync(profile, relayState, {});
    } catch (error) {
      throw translateLibraryError(error);
    }
  }

  /**
   * The SLO endpoint: an IdP LogoutRequest (the caller revokes that subject's sessions, then redirects to
   * `respond(true)`) or the IdP's LogoutResponse to ours. Both must be signed by the IdP.
   */
  async handleLogout(message: SamlLogoutMessage): Promise<SamlLogoutResult> {
    const { logout } = this.requireClients();
    const fields = message.binding === 'redirect' ? message.query : message.form;
    const relayState = optionalRelayState(fields['RelayState']);
    const hasRequest = fields['SAMLRequest'] !== undefined;
    if (hasRequest === (fields['SAMLResponse'] !== undefined)) throw samlRejection('malformed-message');
    const encoded = hasRequest ? fields['SAMLRequest'] : fields['SAMLResponse'];

    let root: Element;
    if (message.binding === 'redirect') {
      assertSingleValuedQuery(message.rawQuery);
      if (typeof fields['Signature'] !== 'string' || typeof fields['SigAlg'] !== 'string') {
        throw samlRejection('unsigned-logout-message');
      }
      root = requireRoot(parseSamlXml(inflateRedirectMessage(encoded)).documentElement);
    } else {
      root = requireRoot(parseSamlXml(utf8(decodeBase64Field(encoded))).documentElement);
      if (childElements(root, DSIG_NS, 'Signature').length === 0)
        throw samlRejection('unsigned-logout-message');
    }
    const parsed = readLogoutMessage(root);
    checkLogoutMessage(parsed, {
      idpEntityId: this.options.issuer,
      sloCallbackUrl: this.options.sloCallbackUrl,
      nowMs: this.now(),
      clockSkewMs: SAML_CLOCK_SKEW_MS,
    });

    try {
      if (message.binding === 'redirect') {
        await logout.validateRedirectAsync(
          message.query as Record<string, string>,
          message.rawQuery.replace(/^\?/, ''),
        );
      } else if (hasRequest) {
        await logout.validatePostRequestAsync({ SAMLRequest: encoded as string });
      } else {
        await logout.validatePostResponseAsync({ SAMLResponse: encoded as string });
      }
    } catch (error) {
      throw translateLibraryError(error);
    }

    if (parsed.kind === 'response') {
      // Our LogoutRequest's id is single-use: an answer to a request we never sent (or already saw) is refused.
      const known =
        parsed.inResponseTo !== undefined &&
        (await this.store.take(samlRequestKey(this.id, parsed.inResponseTo)));
      if (known === undefined || known === false) throw samlRejection('unknown-in-response-to');
      return {
        kind: 'logout-response',
        success: parsed.success,
        ...(relayState === undefined ? {} : { relayState }),
      };
    }

    const fresh = await this.store.setIfAbsent(
      samlLogoutRequestKey(this.options.issuer, parsed.id),
      '1',
      SAML_REQUEST_TTL_MS,
    );
    if (!fresh) throw samlRejection('replayed-logout-request');
    const nameId = parsed.nameId ?? { value: '' };
    return {
      kind: 'logout-request',
      nameIdValue: nameId.value,
      ...(nameId.format === undefined ? {} : { nameIdFormat: nameId.format }),
      sessionIndexes: parsed.sessionIndexes,
      ...(relayState === undefined ? {} : { relayState }),
      respond: async (success: boolean) => {
        if (this.idp?.sloUrl === undefined) return undefined;
        const request: Profile = {
          issuer: this.options.issuer,
          nameID: nameId.value,
          nameIDFormat: nameId.format ?? UNSPECIFIED_NAME_ID,
          ID: parsed.id,
        };
        return this.requireClients().logout.getLogoutResponseUrlAsync(request, relayState ?? '', {}, success);
      },
    };
  }

  /** Stops the metadata refresh. */
  close(): void {
    if (this.refreshTimer !== undefined) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  private async verify(
    xml: string,
    mode: Mode,
  ): Promise<{ assertion: SamlAssertion; identity: FederatedIdentity }> {
    const clients = this.requireClients();
    const response = requireRoot(parseSamlXml(xml).documentElement);
    if (!isSamlElement(response, SAMLP_NS, 'Response')) throw samlRejection('not-a-response');
    checkStatus(response);

    // An empty InResponseTo (samlify's IdP-initiated default) means absent, as node-saml treats it.
    const requestId = attributeOf(response, 'InResponseTo') || undefined;
    let expectation: InResponseToExpectation;
    let library: SAML;
    if (mode === 'sts') {
      expectation = { kind: 'ignore' };
      library = clients.unsolicited;
    } else if (requestId !== undefined) {
      expectation = { kind: 'match', requestId };
      library = clients.solicited;
    } else if (this.options.allowIdpInitiated) {
      expectation = { kind: 'absent' };
      library = clients.unsolicited;
    } else {
      throw samlRejection('unsolicited-response');
    }

    try {
      const responseSigned = this.checkSignaturesPresent(response);
      checkResponseEnvelope(
        response,
        { idpEntityId: this.options.issuer, acsUrl: this.options.acsUrl },
        responseSigned,
      );

      // node-saml treats a response signature that fails as if it were absent and falls back to the
      // assertion's: a signature that is there must verify, or the response was altered after signing.
      if (responseSigned) await this.checkResponseSignature(xml);

      let profile: Profile | null;
      try {
        ({ profile } = await library.validatePostResponseAsync({
          SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
        }));
      } catch (error) {
        const rejection = translateLibraryError(error);
        // Decrypting with the wrong key sometimes "succeeds" into garbage that then fails to parse, with a
        // message of no fixed shape: for an encrypted assertion, an unrecognised failure is a decryption failure.
        if (
          rejection.internal === 'rejected-by-library' &&
          childElements(response, SAML_NS, 'EncryptedAssertion').length > 0
        )
          throw samlRejection('decryption-failed', error);
        throw rejection;
      }
      // An assertion hidden anywhere else in the response (Extensions, Signature/Object…) is a wrapping
      // attempt even when the one node-saml verified is genuine: refuse the whole response.
      const everywhere =
        response.getElementsByTagNameNS(SAML_NS, 'Assertion').length +
        response.getElementsByTagNameNS(SAML_NS, 'EncryptedAssertion').length;
      if (everywhere > 1) throw samlRejection('multiple-assertions');
      // Only the XML node-saml verified is read from here on: never the raw response (signature wrapping).
      const verifiedXml = profile?.getAssertionXml?.();
      if (verifiedXml === undefined) throw samlRejection('missing-assertion');
      const assertion = readAssertion(verifiedXml);

      const nowMs = this.now();
      const acceptableUntil = checkAssertion(assertion, {
        idpEntityId: this.options.issuer,
        spEntityId: this.options.spEntityId,
        acsUrl: this.options.acsUrl,
        inResponseTo: expectation,
        nowMs,
        clockSkewMs: SAML_CLOCK_SKEW_MS,
      });
      const identity = samlAssertionToIdentity(assertion, this.mapping);

      const ttlMs = Math.max(1000, acceptableUntil - nowMs);
      const fresh = await this.store.setIfAbsent(
        samlAssertionKey(this.options.issuer, assertion.id),
        '1',
        ttlMs,
      );
      if (!fresh) throw samlRejection('replayed-assertion');
      return { assertion, identity };
    } finally {
      // An AuthnRequest is answered once, whatever the outcome.
      if (expectation.kind === 'match')
        await this.store.delete(samlRequestKey(this.id, expectation.requestId));
    }
  }

  /** The Response's own enveloped signature verifies against the IdP's current certificates. */
  private async checkResponseSignature(xml: string): Promise<void> {
    const certificates = this.idp?.certificates ?? [];
    let valid = false;
    try {
      const document = await parseDomFromString(xml);
      valid = validateSignature(xml, document.documentElement, [...certificates]);
    } catch {
      valid = false;
    }
    if (!valid) throw samlRejection('bad-signature');
  }

  /** Stable reasons for a missing signature, before node-saml's generic "invalid signature". */
  private checkSignaturesPresent(response: Element): boolean {
    const responseSigned = childElements(response, DSIG_NS, 'Signature').length > 0;
    const assertions = childElements(response, SAML_NS, 'Assertion');
    const encrypted = childElements(response, SAML_NS, 'EncryptedAssertion');
    if (assertions.length + encrypted.length > 1) throw samlRejection('multiple-assertions');
    if (assertions.length + encrypted.length === 0) throw samlRejection('missing-assertion');
    if (this.options.wantResponseSigned && !responseSigned) throw samlRejection('unsigned-response');
    const assertion = assertions[0];
    if (assertion !== undefined) {
      const assertionSigned = childElements(assertion, DSIG_NS, 'Signature').length > 0;
      if (!assertionSigned && (this.options.wantAssertionsSigned || !responseSigned))
        throw samlRejection('unsigned-assertion');
    } else if (encrypted.length > 0 && this.options.decryptionKey === undefined) {
      throw samlRejection('decryption-failed');
    }
    return responseSigned;
  }

  private requireClients(): LibraryClients {
    if (this.clients === undefined) throw samlRejection('idp-metadata-unavailable');
    return this.clients;
  }

  private useIdp(idp: IdpState): void {
    this.idp = idp;
    if (idp.entryPoint === undefined || idp.certificates.length === 0) return;
    const { options } = this;
    const base: SamlConfig = {
      issuer: options.spEntityId,
      callbackUrl: options.acsUrl,
      entryPoint: idp.entryPoint,
      idpCert: [...idp.certificates],
      idpIssuer: options.issuer,
      audience: options.spEntityId,
      wantAssertionsSigned: options.wantAssertionsSigned,
      wantAuthnResponseSigned: options.wantResponseSigned,
      cacheProvider: this.cacheProvider,
      requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
      // node-saml reads the wall clock; validity windows are checked here with the injected clock instead.
      acceptedClockSkewMs: -1,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
      logoutCallbackUrl: options.sloCallbackUrl,
      ...(idp.sloUrl === undefined ? {} : { logoutUrl: idp.sloUrl }),
      ...(options.decryptionKey === undefined ? {} : { decryptionPvk: options.decryptionKey }),
    };
    const signing =
      options.signingKey === undefined
        ? {}
        : {
            privateKey: options.signingKey,
            ...(options.signingCertificate === undefined ? {} : { publicCert: options.signingCertificate }),
          };
    this.clients = {
      solicited: new SAML({
        ...base,
        validateInResponseTo: ValidateInResponseTo.always,
        ...(options.signAuthnRequests ? signing : {}),
      }),
      unsolicited: new SAML({ ...base, validateInResponseTo: ValidateInResponseTo.never }),
      logout: new SAML({ ...base, validateInResponseTo: ValidateInResponseTo.always, ...signing }),
    };
  }
}

function requireRoot(root: Element | null): Element {
  if (root === null) throw samlRejection('malformed-message');
  return root;
}

function checkStatus(response: Element): void {
  const status = optionalChild(response, SAMLP_NS, 'Status');
  const code = status && optionalChild(status, SAMLP_NS, 'StatusCode');
  if (code === undefined || attributeOf(code, 'Value') !== SUCCESS) throw samlRejection('idp-error-status');
}

function optionalRelayState(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_RELAY_STATE) throw samlRejection('malformed-message');
  return value;
}
