/**
 * samlify (an IdP library we did not write) as the SAML identity provider of a test: it reads fedgate's
 * AuthnRequests and SP metadata, fills its login response template, then signs (and optionally encrypts) it
 * itself. A test changes only what it attacks: template values, or the filled XML before samlify signs it.
 */
import { randomUUID } from 'node:crypto';
import samlify from 'samlify';
import { createTestKeyPair } from './saml-idp.js';
import type { TestKeyPair } from './saml-idp.js';

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const EMAIL_NAME_ID_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const PASSWORD_CLASS = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

// samlify parses nothing until a schema validator is set. What it parses here are fedgate's AuthnRequests,
// which no test sets out to schema-check.
samlify.setSchemaValidator({ validate: async () => 'skipped' });

/** The AuthnStatement samlify's default template leaves as a `{AuthnStatement}` slot. */
const AUTHN_STATEMENT =
  '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>{AuthnContextClassRef}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>';

/** samlify's view of a service provider. */
export type SamlifyServiceProvider = ReturnType<typeof samlify.ServiceProvider>;

/** samlify's view of fedgate, read from fedgate's own SP metadata. */
export function samlifyServiceProvider(
  metadataXml: string,
  settings: { readonly wantMessageSigned?: boolean } = {},
): SamlifyServiceProvider {
  return samlify.ServiceProvider({ metadata: metadataXml, ...settings });
}

/** Options of a samlify IdP. */
export interface SamlifyIdpOptions {
  readonly entityId: string;
  readonly ssoUrl?: string;
  readonly sloUrl?: string;
  /** Defaults to a key pair named after the entity id. */
  readonly keyPair?: TestKeyPair;
  /** RSA-SHA256 unless set; samlify derives the digest from it (RSA-SHA1 signs a SHA-1 digest). */
  readonly signatureAlgorithm?: string;
  /** Encrypt every assertion for the SP's encryption certificate (samlify's AES-256-CBC + RSA-OAEP). */
  readonly encryptAssertions?: boolean;
}

/** What one samlify answer says; everything unset is valid. */
export interface SamlifyAnswer {
  /** The AuthnRequest answered; undefined for an unsolicited (IdP-initiated) response. */
  readonly inResponseTo?: string;
  readonly nameId: string;
  /** Attribute name → values (basic name format, `xs:string`). */
  readonly attributes?: Readonly<Record<string, readonly string[]>>;
  /** `false` leaves the AuthnStatement out. */
  readonly authnStatement?: boolean;
  /** Template values to override (`IssueInstant`, `ConditionsNotOnOrAfter`, …), as samlify names them. */
  readonly values?: Readonly<Record<string, string>>;
  /** Edits the filled XML before samlify signs it (what the IdP then vouches for). */
  readonly beforeSigning?: (xml: string) => string;
}

/** A samlify identity provider. */
export interface SamlifyIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly certificatePem: string;
  readonly metadataXml: string;
  /** The AuthnRequest id, as samlify reads it from the HTTP-Redirect URL the SP sent the browser to. */
  readRequest(sp: SamlifyServiceProvider, url: string): Promise<string>;
  /** The signed Response XML samlify would POST to the SP's ACS. */
  respond(sp: SamlifyServiceProvider, answer: SamlifyAnswer): Promise<string>;
}

/** Creates a samlify IdP. */
export function createSamlifyIdp(options: SamlifyIdpOptions): SamlifyIdp {
  const keyPair = options.keyPair ?? createTestKeyPair(options.entityId);
  const ssoUrl = options.ssoUrl ?? `${options.entityId.replace(/\/metadata$/, '')}/sso`;
  const idp = samlify.IdentityProvider({
    entityID: options.entityId,
    signingCert: keyPair.certificatePem,
    privateKey: keyPair.privateKeyPem,
    nameIDFormat: [EMAIL_NAME_ID_FORMAT],
    singleSignOnService: [{ Binding: REDIRECT, Location: ssoUrl }],
    singleLogoutService: [{ Binding: REDIRECT, Location: options.sloUrl ?? `${ssoUrl}/slo` }],
    ...(options.signatureAlgorithm === undefined
      ? {}
      : { requestSignatureAlgorithm: options.signatureAlgorithm }),
    ...(options.encryptAssertions === true ? { isAssertionEncrypted: true } : {}),
  });
  return {
    entityId: options.entityId,
    ssoUrl,
    certificatePem: keyPair.certificatePem,
    metadataXml: idp.getMetadata(),
    async readRequest(sp, url) {
      const parsed = new URL(url);
      const request = await idp.parseLoginRequest(sp, 'redirect', {
        query: Object.fromEntries(parsed.searchParams),
        octetString: parsed.search.slice(1),
      });
      const id = request.extract.request?.['id'];
      if (typeof id !== 'string') throw new TypeError('samlify found no AuthnRequest id');
      return id;
    },
    async respond(sp, answer) {
      const requestInfo =
        answer.inResponseTo === undefined
          ? { extract: {} }
          : { extract: { request: { id: answer.inResponseTo } } };
      const result = await idp.createLoginResponse(
        sp,
        requestInfo,
        'post',
        { email: answer.nameId },
        {
          customTagReplacement: fillLoginTemplate(options.entityId, sp, answer),
        },
      );
      return Buffer.from(result.context, 'base64').toString('utf8');
    },
  };
}

/**
 * samlify's documented way to fill its login response template: the caller replaces every tag (samlify escapes
 * each value). Unsolicited answers keep samlify's `InResponseTo=""`, which reads as absent.
 */
export function fillLoginTemplate(
  issuer: string,
  sp: SamlifyServiceProvider,
  answer: SamlifyAnswer,
): (template: string) => { id: string; context: string } {
  return (template) => {
    const id = `_${randomUUID()}`;
    const now = new Date();
    const later = new Date(now.getTime() + 5 * 60_000).toISOString();
    const acs: unknown = sp.entityMeta.getAssertionConsumerService('post');
    const acsUrl = Array.isArray(acs) ? String(acs[0]) : String(acs);
    const attributes = Object.entries(answer.attributes ?? {});
    const values: Record<string, string> = {
      ID: id,
      AssertionID: `_${randomUUID()}`,
      Destination: acsUrl,
      Audience: sp.entityMeta.getEntityID(),
      SubjectRecipient: acsUrl,
      Issuer: issuer,
      IssueInstant: now.toISOString(),
      AuthnInstant: now.toISOString(),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: now.toISOString(),
      ConditionsNotOnOrAfter: later,
      SubjectConfirmationDataNotOnOrAfter: later,
      NameIDFormat: EMAIL_NAME_ID_FORMAT,
      NameID: answer.nameId,
      InResponseTo: answer.inResponseTo ?? '',
      SessionIndex: `_${randomUUID()}`,
      AuthnContextClassRef: PASSWORD_CLASS,
      ...Object.fromEntries(
        attributes.flatMap(([name, list], i) => [
          [`attrName${i}`, name],
          ...list.map((value, j) => [`attrValue${i}x${j}`, value]),
        ]),
      ),
      ...answer.values,
    };
    const statement =
      attributes.length === 0
        ? ''
        : `<saml:AttributeStatement>${attributes
            .map(
              ([, list], i) =>
                `<saml:Attribute Name="{attrName${i}}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${list
                  .map(
                    (_value, j) =>
                      `<saml:AttributeValue xsi:type="xs:string">{attrValue${i}x${j}}</saml:AttributeValue>`,
                  )
                  .join('')}</saml:Attribute>`,
            )
            .join('')}</saml:AttributeStatement>`;
    const filled = samlify.SamlLib.replaceTagsByValue(
      template
        .replace('{AuthnStatement}', answer.authnStatement === false ? '' : AUTHN_STATEMENT)
        .replace('{AttributeStatement}', statement),
      values,
    );
    return { id, context: answer.beforeSigning === undefined ? filled : answer.beforeSigning(filled) };
  };
}
