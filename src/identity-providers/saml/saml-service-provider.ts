import { randomBytes, timingSafeEqual } from 'node:crypto';
import { SAML, ValidateInResponseTo, generateServiceProviderMetadata } from '@node-saml/node-saml';
import type { CacheProvider, Profile, SamlConfig } from '@node-saml/node-saml';
import type { Element } from '@xmldom/xmldom';
import type { FederatedIdentity } from '../../federation/index.js';
import type { Store } from '../../store/store.js';
import type { SamlAssertion } from './saml-assertion.js';
import { checkAssertion } from './saml-checks.js';
import type { InResponseToExpectation } from './saml-checks.js';
import { samlAssertionToIdentity } from './saml-identity.js';
import type { SamlIdentityMapping } from './saml-identity.js';
import { fetchIdpMetadata } from './saml-idp-metadata.js';
import { assertSingleValuedQuery, checkLogoutMessage, readLogoutMessage } from './saml-logout.js';
import type { SamlLogoutMessage, SamlLogoutResult, SamlLogoutSubject } from './saml-logout.js';
import { checkMessageShape } from './saml-message-shape.js';
import {
  DEFAULT_MAX_ASSERTION_AGE_SECONDS,
  DEFAULT_METADATA_REFRESH_SECONDS,
  METADATA_FETCH_TIMEOUT_MS,
  SAML_CLOCK_SKEW_MS,
  assertUsableOptions,
} from './saml-provider-options.js';
import type { SamlProviderOptions } from './saml-provider-options.js';
import { PostedSamlMessage } from './saml-posted-message.js';
import { samlRejection, translateLibraryError } from './saml-rejection.js';
import {
  SAML_REQUEST_TTL_MS,
  createStoreCacheProvider,
  samlAssertionKey,
  samlAuthnRequestKey,
  samlLogoutRequestKey,
  samlRequestKey,
  samlUnconfirmedLoginKey,
  secretDigest,
} from './saml-request-cache.js';
import type { VerifiedResponse } from './saml-response-verification.js';
import { sharedSamlVerifierPool } from './saml-verifier-pool.js';
import type { SamlVerifierPool } from './saml-verifier-pool.js';
import {
  DSIG_NS,
  attributeOf,
  childElements,
  decodeBase64Field,
  inflateRedirectMessage,
  parseSamlXml,
  utf8,
} from './saml-xml.js';

const UNSPECIFIED_NAME_ID = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';
const MAX_RELAY_STATE = 2048;
const BINDING_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** How long an IdP-initiated login waits for the person to confirm it. */
export const SAML_CONFIRMATION_TTL_MS = 5 * 60 * 1000;

/** Dependencies of a SAML service provider; `now` (epoch ms) is injected by tests. */
export interface SamlServiceProviderDeps {
  readonly store: Store;
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  /** Told when a metadata fetch fails (the last good metadata stays in use); for logging. */
  readonly onMetadataError?: (error: unknown) => void;
  /** Where responses are verified; the process-wide worker pool by default. */
  readonly verifier?: SamlVerifierPool;
}

/** What beginLogin returns: where to send the browser, and the value for its short-lived HttpOnly cookie. */
export interface SamlLoginStart {
  readonly url: string;
  /** Opaque; the caller keeps it in a cookie and passes it back to consumeResponse. */
  readonly browserBinding: string;
}

/** What a browser login proves, plus what single logout needs later. */
export type SamlLogin = FederatedIdentity & {
  readonly relayState?: string;
  readonly sessionIndex?: string;
  readonly nameIdValue: string;
  /** `idp`: an unsolicited response, which the person must confirm (holdUnconfirmedLogin) before it is used. */
  readonly initiatedBy: 'sp' | 'idp';
  /** Attributes whose value was refused as a session tag, for the "no role" page. */
  readonly refusedTagAttributes: readonly string[];
};

/** A verified response before it becomes a login. */
interface VerifiedLogin {
  readonly assertion: SamlAssertion;
  readonly identity: FederatedIdentity;
  readonly refusedTagAttributes: readonly string[];
  readonly initiatedBy: 'sp' | 'idp';
}

/** The IdP as currently known: from options, refreshed from metadata. */
interface IdpState {
  readonly entryPoint: string | undefined;
  readonly sloUrl: string | undefined;
  readonly certificates: readonly string[];
}

/** node-saml instances built for one IdP state (responses are verified in a worker, see SamlVerifierPool). */
interface LibraryClients {
  /** Builds AuthnRequests; the pending request is recorded here, bound to the browser. */
  readonly requests: SAML;
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
  private readonly verifier: SamlVerifierPool;
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
    this.verifier = deps.verifier ?? sharedSamlVerifierPool();
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

  /**
   * Starts an SP-initiated login: the IdP URL carrying our AuthnRequest, whose id is recorded in the store
   * bound to the browser (the digest of `browserBinding`, a fresh one unless a well-formed one is given).
   */
  async beginLogin(relayState: string, browserBinding?: string): Promise<SamlLoginStart> {
    const { requests } = this.requireClients();
    const binding =
      browserBinding !== undefined && BINDING_SHAPE.test(browserBinding)
        ? browserBinding
        : randomBytes(32).toString('base64url');
    let url: string;
    try {
      url = await requests.getAuthorizeUrlAsync(relayState, undefined, {});
    } catch (error) {
      throw translateLibraryError(error);
    }
    const root = parseSamlXml(
      inflateRedirectMessage(new URL(url).searchParams.get('SAMLRequest') ?? ''),
    ).documentElement;
    const requestId = root === null ? undefined : attributeOf(root, 'ID');
    if (requestId === undefined) throw new TypeError('node-saml built an AuthnRequest without an ID');
    await this.store.set(samlAuthnRequestKey(this.id, requestId), secretDigest(binding), SAML_REQUEST_TTL_MS);
    return { url, browserBinding: binding };
  }

  /**
   * The assertion consumer (HTTP-POST binding): verifies the response and returns the identity. An answer
   * to an AuthnRequest must come from the browser that started it (`browserBinding` from its cookie).
   * `SAMLResponse` is base64 text or, from a form body, a PostedSamlMessage still form-encoded; either is
   * decoded in the verification worker.
   */
  async consumeResponse(
    form: { readonly SAMLResponse?: unknown; readonly RelayState?: unknown },
    browserBinding: string | undefined,
  ): Promise<SamlLogin> {
    const relayState = optionalRelayState(form.RelayState);
    const { assertion, identity, initiatedBy, refusedTagAttributes } = await this.verify(
      PostedSamlMessage.of(form.SAMLResponse),
      'browser',
      browserBinding,
    );
    const nameIdValue = assertion.nameId?.value ?? identity.subject;
    return {
      ...identity,
      nameIdValue,
      initiatedBy,
      refusedTagAttributes,
      ...(relayState === undefined ? {} : { relayState }),
      ...(assertion.sessionIndex === undefined ? {} : { sessionIndex: assertion.sessionIndex }),
    };
  }

  /**
   * Keeps an IdP-initiated login until the person confirms it. Nothing ties an unsolicited response to the
   * browser it lands in, so an attacker could post their own; the person sees whom they would become and
   * confirms with a same-origin POST carrying `handle`, from the browser holding `confirmation` (a cookie).
   */
  async holdUnconfirmedLogin(login: SamlLogin): Promise<{ handle: string; confirmation: string }> {
    const handle = randomBytes(32).toString('base64url');
    const confirmation = randomBytes(32).toString('base64url');
    await this.store.set(
      samlUnconfirmedLoginKey(this.id, handle),
      JSON.stringify({ confirmation: secretDigest(confirmation), login }),
      SAML_CONFIRMATION_TTL_MS,
    );
    return { handle, confirmation };
  }

  /** The held login, once, when `handle` and `confirmation` match; otherwise `unconfirmed-login`. */
  async confirmLogin(handle: unknown, confirmation: string | undefined): Promise<SamlLogin> {
    if (typeof handle !== 'string' || !BINDING_SHAPE.test(handle) || confirmation === undefined)
      throw samlRejection('unconfirmed-login');
    const key = samlUnconfirmedLoginKey(this.id, handle);
    const stored = await this.store.get(key);
    if (stored === undefined) throw samlRejection('unconfirmed-login');
    const held = JSON.parse(stored) as { confirmation: string; login: SamlLogin };
    if (!sameText(held.confirmation, secretDigest(confirmation))) throw samlRejection('unconfirmed-login');
    if ((await this.store.take(key)) === undefined) throw samlRejection('unconfirmed-login');
    return held.login;
  }

  /**
   * AssumeRoleWithSAML: the same checks as a browser login except InResponseTo, including the replay cache.
   * The Response is base64 text (JSON API) or a PostedSamlMessage (Query API form).
   */
  async verifyStsAssertion(samlResponse: string | PostedSamlMessage): Promise<FederatedIdentity> {
    return (await this.verify(PostedSamlMessage.of(samlResponse), 'sts')).identity;
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
      root = requireRoot(parseSamlXml(shaped(inflateRedirectMessage(encoded))).documentElement);
    } else {
      root = requireRoot(parseSamlXml(shaped(utf8(decodeBase64Field(encoded)))).documentElement);
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
    message: PostedSamlMessage,
    mode: Mode,
    browserBinding?: string,
  ): Promise<VerifiedLogin> {
    const idp = this.idp;
    if (this.clients === undefined || idp === undefined) throw samlRejection('idp-metadata-unavailable');
    const { options } = this;
    // Everything that decodes, parses or verifies the message runs in a worker under a time budget: on the
    // event loop this message only costs a copy of its bytes.
    const verified = await this.verifier.verify(message, {
      idpEntityId: options.issuer,
      spEntityId: options.spEntityId,
      acsUrl: options.acsUrl,
      certificates: idp.certificates,
      wantAssertionsSigned: options.wantAssertionsSigned,
      wantResponseSigned: options.wantResponseSigned,
      allowSha1: options.allowSha1 === true,
      ...(options.decryptionKey === undefined ? {} : { decryptionKey: options.decryptionKey }),
    });
    const { assertion } = verified;
    const expectation = this.inResponseToExpectation(verified, mode);

    // Every check that needs no store runs first: a refused message consumes nothing.
    const nowMs = this.now();
    const acceptableUntil = checkAssertion(assertion, {
      idpEntityId: options.issuer,
      spEntityId: options.spEntityId,
      acsUrl: options.acsUrl,
      inResponseTo: expectation,
      nowMs,
      clockSkewMs: SAML_CLOCK_SKEW_MS,
      maxAssertionAgeMs: (options.maxAssertionAgeSeconds ?? DEFAULT_MAX_ASSERTION_AGE_SECONDS) * 1000,
    });
    const { identity, refusedTagAttributes } = samlAssertionToIdentity(assertion, this.mapping);

    if (expectation.kind === 'match') await this.takePendingRequest(expectation.requestId, browserBinding);
    const ttlMs = Math.max(1000, acceptableUntil - nowMs);
    const fresh = await this.store.setIfAbsent(samlAssertionKey(options.issuer, assertion.id), '1', ttlMs);
    if (!fresh) throw samlRejection('replayed-assertion');
    return {
      assertion,
      identity,
      refusedTagAttributes,
      initiatedBy: expectation.kind === 'absent' ? 'idp' : 'sp',
    };
  }

  /**
   * SP-initiated when either the Response or its bearer confirmation names a request; then both must name
   * the same one (checkAssertion compares the confirmation). An answer to nothing is IdP-initiated, accepted
   * only where `allowIdpInitiated` says so.
   */
  private inResponseToExpectation(verified: VerifiedResponse, mode: Mode): InResponseToExpectation {
    if (mode === 'sts') return { kind: 'ignore' };
    const confirmed = verified.assertion.confirmations.find(
      (confirmation) => confirmation.inResponseTo !== undefined,
    )?.inResponseTo;
    const requestId = verified.responseInResponseTo ?? confirmed;
    if (requestId !== undefined) return { kind: 'match', requestId };
    if (!this.options.allowIdpInitiated) throw samlRejection('unsolicited-response');
    return { kind: 'absent' };
  }

  /**
   * The AuthnRequest must be pending and started by this browser. A response posted from another browser
   * leaves the request in place (whoever holds a stolen response cannot burn the real login with it).
   */
  private async takePendingRequest(requestId: string, browserBinding: string | undefined): Promise<void> {
    const key = samlAuthnRequestKey(this.id, requestId);
    const stored = await this.store.get(key);
    if (stored === undefined) throw samlRejection('unknown-in-response-to');
    if (browserBinding === undefined || !sameText(stored, secretDigest(browserBinding)))
      throw samlRejection('browser-mismatch');
    // `take` is the single-use point: of two concurrent answers only one gets the request.
    if ((await this.store.take(key)) === undefined) throw samlRejection('unknown-in-response-to');
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
      // InResponseTo is ours to check (bound to the browser), so node-saml records nothing for AuthnRequests.
      requests: new SAML({
        ...base,
        validateInResponseTo: ValidateInResponseTo.never,
        ...(options.signAuthnRequests ? signing : {}),
      }),
      logout: new SAML({ ...base, validateInResponseTo: ValidateInResponseTo.always, ...signing }),
    };
  }
}

function requireRoot(root: Element | null): Element {
  if (root === null) throw samlRejection('malformed-message');
  return root;
}

function optionalRelayState(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_RELAY_STATE) throw samlRejection('malformed-message');
  return value;
}

/** Logout messages are parsed on the event loop: the same shape limits as responses bound that work. */
function shaped(xml: string): string {
  checkMessageShape(xml);
  return xml;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
