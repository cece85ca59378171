/**
 * The resolved options of one SAML identity provider, as the config loader hands them over. Mirrors the
 * config's `type: saml` provider fields plus the SP URLs the caller computes from `publicUrl`.
 */
export interface SamlProviderOptions {
  readonly id: string;
  /** The IdP's entity id: a response from any other issuer is refused. */
  readonly issuer: string;
  /** The IdP's HTTP-Redirect SSO endpoint; taken from metadata when absent. */
  readonly entryPoint?: string;
  readonly metadataUrl?: string;
  /** How often metadata is fetched again; default 3600. */
  readonly metadataRefreshSeconds?: number;
  /** Unsolicited (IdP-initiated) responses are refused unless true. */
  readonly allowIdpInitiated: boolean;
  /** IdP signing certificates (PEM); several during a key rollover. Metadata certificates are added. */
  readonly idpCertificates: readonly string[];
  /** With both false, either a response or an assertion signature is still required. */
  readonly wantAssertionsSigned: boolean;
  readonly wantResponseSigned: boolean;
  readonly signAuthnRequests: boolean;
  /** SP private key (PEM): signs AuthnRequests when `signAuthnRequests`, and logout messages. */
  readonly signingKey?: string;
  readonly signingCertificate?: string;
  /** SP private key (PEM) that decrypts encrypted assertions. */
  readonly decryptionKey?: string;
  readonly decryptionCertificate?: string;
  /** `nameID` or `attr:<name>`. */
  readonly subject: string;
  /** `attr:<name>`. */
  readonly groups?: string;
  /** `nameID` or `attr:<name>`. */
  readonly sessionName?: string;
  /** Tag key → `nameID` or `attr:<name>`. */
  readonly tags: Readonly<Record<string, string>>;
  /** AuthnContextClassRef values that mean a second factor was used. */
  readonly mfaAuthnContexts: readonly string[];
  /** The IdP's single logout endpoint; taken from metadata when absent. */
  readonly sloUrl?: string;
  /** Accept RSA-SHA1 signatures and SHA-1 digests (refused unless true; the validator warns). */
  readonly allowSha1?: boolean;
  /** How long after its IssueInstant an assertion may be used, in seconds (plus clock skew); default 300. */
  readonly maxAssertionAgeSeconds?: number;
  /** `${publicUrl}/saml/${id}/metadata` */
  readonly spEntityId: string;
  /** `${publicUrl}/saml/${id}/acs` */
  readonly acsUrl: string;
  /** `${publicUrl}/saml/${id}/slo` */
  readonly sloCallbackUrl: string;
}

/** Allowed difference between our clock and the IdP's when checking validity windows. */
export const SAML_CLOCK_SKEW_MS = 60_000;
/** Default `maxAssertionAge` (seconds): an assertion is used within minutes of being issued. */
export const DEFAULT_MAX_ASSERTION_AGE_SECONDS = 300;
/** Default period of metadata refresh. */
export const DEFAULT_METADATA_REFRESH_SECONDS = 3600;
/** Timeout of one metadata fetch. */
export const METADATA_FETCH_TIMEOUT_MS = 10_000;

/** Throws TypeError for option combinations that are programmer or config-loader errors. */
export function assertUsableOptions(options: SamlProviderOptions): void {
  const fail = (message: string): never => {
    throw new TypeError(`SAML provider ${options.id}: ${message}`);
  };
  if (options.issuer === '') fail('issuer is required');
  if (options.metadataUrl === undefined) {
    if (options.entryPoint === undefined) fail('entryPoint or metadataUrl is required');
    if (options.idpCertificates.length === 0) fail('idpCertificates or metadataUrl is required');
  }
  if (options.signAuthnRequests && options.signingKey === undefined)
    fail('signAuthnRequests needs signingKey');
  if (options.signingKey !== undefined && options.signingCertificate === undefined)
    fail('signingKey needs signingCertificate');
  if (options.decryptionKey !== undefined && options.decryptionCertificate === undefined) {
    fail('decryptionKey needs decryptionCertificate');
  }
  for (const source of [
    options.subject,
    options.groups,
    options.sessionName,
    ...Object.values(options.tags),
  ]) {
    if (source !== undefined && source !== 'nameID' && !/^attr:.+/.test(source))
      fail(`unsupported mapping ${source}`);
  }
  if (options.groups !== undefined && !options.groups.startsWith('attr:')) fail('groups must be attr:<name>');
}
