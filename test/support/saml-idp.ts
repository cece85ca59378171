/**
 * A real SAML 2.0 identity provider for tests and the demo: self-signed keys made in-process, responses
 * signed with xml-crypto and encrypted with samlify, metadata, and readers for what an SP redirects to it.
 * Every knob an attack test needs is an option; the defaults produce a valid response.
 */
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import type { Element } from '@xmldom/xmldom';
import samlify from 'samlify';
import { SignedXml } from 'xml-crypto';

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

/** A private key and its self-signed certificate, both PEM. */
export interface TestKeyPair {
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

const keyPairs = new Map<string, TestKeyPair>();

/** A self-signed RSA key pair for `commonName`, made once per process (no openssl needed). */
export function createTestKeyPair(commonName: string): TestKeyPair {
  const cached = keyPairs.get(commonName);
  if (cached !== undefined) return cached;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const name = der(
    0x30,
    der(0x31, der(0x30, Buffer.concat([oid('2.5.4.3'), der(0x0c, Buffer.from(commonName))]))),
  );
  const sha256WithRsa = der(0x30, Buffer.concat([oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])]));
  const tbs = der(
    0x30,
    Buffer.concat([
      der(0xa0, der(0x02, Buffer.from([0x02]))),
      der(0x02, Buffer.concat([Buffer.from([0x01]), randomBytes(8)])),
      sha256WithRsa,
      name,
      der(
        0x30,
        Buffer.concat([utcTime(new Date(Date.UTC(2020, 0, 1))), utcTime(new Date(Date.UTC(2049, 0, 1)))]),
      ),
      name,
      publicKey.export({ type: 'spki', format: 'der' }),
    ]),
  );
  const signature = createSign('sha256').update(tbs).sign(privateKey);
  const certificate = der(
    0x30,
    Buffer.concat([tbs, sha256WithRsa, der(0x03, Buffer.concat([Buffer.from([0]), signature]))]),
  );
  const pair = {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: pem('CERTIFICATE', certificate),
  };
  keyPairs.set(commonName, pair);
  return pair;
}

/** Options of a test IdP. */
export interface TestSamlIdpOptions {
  readonly entityId: string;
  readonly ssoUrl?: string;
  readonly sloUrl?: string;
  /** Signing key; defaults to one named after the entity id. */
  readonly keyPair?: TestKeyPair;
  /** More certificates to publish in metadata (key rollover). */
  readonly extraCertificates?: readonly string[];
  /** Time source for generated instants; defaults to the wall clock. */
  readonly now?: () => number;
}

/** What one generated response says; unset fields get valid values. */
export interface TestSamlResponseOptions {
  readonly inResponseTo?: string;
  /** `null` leaves Destination out. */
  readonly destination: string | null;
  readonly recipient: string;
  readonly audience: string | readonly string[];
  readonly nameId: string;
  readonly nameIdFormat?: string;
  readonly nameQualifier?: string;
  readonly attributes?: Readonly<Record<string, string | readonly string[]>>;
  /** Issuer of the Response and the Assertion; `assertionIssuer` overrides the latter. */
  readonly issuer?: string;
  readonly assertionIssuer?: string;
  readonly issueInstant?: number;
  readonly notBefore?: number;
  readonly notOnOrAfter?: number;
  readonly authnInstant?: number;
  readonly authnContextClassRef?: string;
  readonly sessionIndex?: string;
  readonly assertionId?: string;
  readonly statusCode?: string;
  readonly sign: 'assertion' | 'response' | 'both' | 'none';
  /** Encrypts the assertion for this SP certificate (after signing it). */
  readonly encryptFor?: string;
  /** Signs with another key (an attacker's), embedding its certificate. */
  readonly signWith?: TestKeyPair;
}

/** An AuthnRequest read back from the URL an SP redirected the browser to. */
export interface ReceivedSamlRequest {
  readonly id: string;
  readonly issuer: string;
  readonly destination: string | undefined;
  readonly acsUrl: string | undefined;
  readonly relayState: string | undefined;
  readonly signed: boolean;
  readonly nameId: string | undefined;
  readonly sessionIndex: string | undefined;
  readonly xml: string;
}

/** A redirect-binding message ready for the SP's SLO endpoint. */
export interface TestRedirectMessage {
  readonly query: Record<string, string>;
  readonly rawQuery: string;
}

/** A running test IdP. */
export interface TestSamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  readonly keyPair: TestKeyPair;
  readonly certificatePem: string;
  readonly metadataXml: string;
  /** The base64 SAMLResponse for the ACS form. */
  createResponse(options: TestSamlResponseOptions): Promise<string>;
  /** The same response as XML, for tests that tamper with it. */
  createResponseXml(options: TestSamlResponseOptions): Promise<string>;
  /** Enveloped signature over the element whose ID is `id`, placed after its Issuer. */
  signElement(xml: string, id: string, keyPair?: TestKeyPair): string;
  /** Reads an AuthnRequest or LogoutRequest from an HTTP-Redirect URL. */
  readRedirectRequest(url: string): ReceivedSamlRequest;
  /** A signed (unless `sign: false`) IdP-initiated LogoutRequest for the SP's SLO URL. */
  createLogoutRequest(options: {
    readonly destination: string;
    readonly nameId: string;
    readonly sessionIndex?: string;
    readonly relayState?: string;
    readonly sign?: boolean;
    readonly id?: string;
  }): TestRedirectMessage;
  /** A signed LogoutResponse answering the SP's LogoutRequest. */
  createLogoutResponse(options: {
    readonly destination: string;
    readonly inResponseTo: string;
    readonly relayState?: string;
    readonly success?: boolean;
  }): TestRedirectMessage;
}

/** Creates a test IdP. */
export function createTestSamlIdp(options: TestSamlIdpOptions): TestSamlIdp {
  const keyPair = options.keyPair ?? createTestKeyPair(options.entityId);
  const ssoUrl = options.ssoUrl ?? 'https://idp.test/sso';
  const sloUrl = options.sloUrl ?? 'https://idp.test/slo';
  const now = options.now ?? Date.now;
  const certificates = [keyPair.certificatePem, ...(options.extraCertificates ?? [])];

  const metadataXml =
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${escape(options.entityId)}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="${SAMLP}" WantAuthnRequestsSigned="false">` +
    certificates
      .map(
        (certificate) =>
          `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pemBody(certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
      )
      .join('') +
    `<md:SingleLogoutService Binding="${REDIRECT}" Location="${escape(sloUrl)}"/>` +
    `<md:SingleSignOnService Binding="${REDIRECT}" Location="${escape(ssoUrl)}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`;

  function signElement(xml: string, id: string, signer: TestKeyPair = keyPair): string {
    return signSamlElement(xml, id, signer);
  }

  async function createResponseXml(response: TestSamlResponseOptions): Promise<string> {
    const at = now();
    const issuer = response.issuer ?? options.entityId;
    const responseId = `_r${randomBytes(12).toString('hex')}`;
    const assertionId = response.assertionId ?? `_a${randomBytes(12).toString('hex')}`;
    const notOnOrAfter = response.notOnOrAfter ?? at + 5 * 60_000;
    const audiences = typeof response.audience === 'string' ? [response.audience] : response.audience;
    const inResponseTo =
      response.inResponseTo === undefined ? '' : ` InResponseTo="${escape(response.inResponseTo)}"`;
    const attributes = Object.entries(response.attributes ?? {})
      .map(([name, value]) => {
        const values = typeof value === 'string' ? [value] : value;
        return `<saml:Attribute Name="${escape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values.map((v) => `<saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">${escape(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
      })
      .join('');
    const nameIdAttributes =
      ` Format="${escape(response.nameIdFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')}"` +
      (response.nameQualifier === undefined ? '' : ` NameQualifier="${escape(response.nameQualifier)}"`);

    let assertion =
      `<saml:Assertion xmlns:saml="${SAML}" ID="${assertionId}" Version="2.0" IssueInstant="${iso(response.issueInstant ?? at)}">` +
      `<saml:Issuer>${escape(response.assertionIssuer ?? issuer)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID${nameIdAttributes}>${escape(response.nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${escape(response.recipient)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${iso(response.notBefore ?? at - 60_000)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction>${audiences.map((a) => `<saml:Audience>${escape(a)}</saml:Audience>`).join('')}</saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${iso(response.authnInstant ?? at)}" SessionIndex="${escape(response.sessionIndex ?? `_s${randomBytes(8).toString('hex')}`)}"><saml:AuthnContext><saml:AuthnContextClassRef>${escape(response.authnContextClassRef ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport')}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attributes === '' ? '' : `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`) +
      `</saml:Assertion>`;
    if (response.sign === 'assertion' || response.sign === 'both') {
      assertion = signElement(assertion, assertionId, response.signWith);
    }

    let xml =
      `<samlp:Response xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="${responseId}" Version="2.0" IssueInstant="${iso(at)}"` +
      (response.destination === null ? '' : ` Destination="${escape(response.destination)}"`) +
      `${inResponseTo}><saml:Issuer>${escape(issuer)}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${escape(response.statusCode ?? 'urn:oasis:names:tc:SAML:2.0:status:Success')}"/></samlp:Status>` +
      `${assertion}</samlp:Response>`;
    if (response.encryptFor !== undefined) xml = await encryptAssertion(xml, response.encryptFor);
    if (response.sign === 'response' || response.sign === 'both')
      xml = signElement(xml, responseId, response.signWith);
    return xml;
  }

  function redirectMessage(
    kind: 'SAMLRequest' | 'SAMLResponse',
    xml: string,
    relayState: string | undefined,
    sign: boolean,
  ): TestRedirectMessage {
    const parts = [`${kind}=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`];
    if (relayState !== undefined) parts.push(`RelayState=${encodeURIComponent(relayState)}`);
    if (sign) {
      parts.push(`SigAlg=${encodeURIComponent(RSA_SHA256)}`);
      const signature = createSign('sha256').update(parts.join('&')).sign(keyPair.privateKeyPem, 'base64');
      parts.push(`Signature=${encodeURIComponent(signature)}`);
    }
    const rawQuery = parts.join('&');
    return { rawQuery, query: Object.fromEntries(new URLSearchParams(rawQuery)) };
  }

  return {
    entityId: options.entityId,
    ssoUrl,
    sloUrl,
    keyPair,
    certificatePem: keyPair.certificatePem,
    metadataXml,
    signElement,
    createResponseXml,
    async createResponse(response) {
      return Buffer.from(await createResponseXml(response), 'utf8').toString('base64');
    },
    readRedirectRequest(url) {
      const parsed = new URL(url);
      const message = parsed.searchParams.get('SAMLRequest');
      if (message === null) throw new Error('no SAMLRequest in the URL');
      const xml = inflateRawSync(Buffer.from(message, 'base64')).toString('utf8');
      const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement as Element;
      const child = (name: string): string | undefined => {
        const element = root.getElementsByTagNameNS('*', name)[0];
        return element === undefined ? undefined : (element.textContent ?? undefined);
      };
      return {
        id: root.getAttribute('ID') ?? '',
        issuer: child('Issuer') ?? '',
        destination: root.getAttribute('Destination') ?? undefined,
        acsUrl: root.getAttribute('AssertionConsumerServiceURL') ?? undefined,
        relayState: parsed.searchParams.get('RelayState') ?? undefined,
        signed: parsed.searchParams.has('Signature'),
        nameId: child('NameID'),
        sessionIndex: child('SessionIndex'),
        xml,
      };
    },
    createLogoutRequest(request) {
      const xml =
        `<samlp:LogoutRequest xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="${request.id ?? `_l${randomBytes(12).toString('hex')}`}" Version="2.0" IssueInstant="${iso(now())}" Destination="${escape(request.destination)}" NotOnOrAfter="${iso(now() + 5 * 60_000)}">` +
        `<saml:Issuer>${escape(options.entityId)}</saml:Issuer><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escape(request.nameId)}</saml:NameID>` +
        (request.sessionIndex === undefined
          ? ''
          : `<samlp:SessionIndex>${escape(request.sessionIndex)}</samlp:SessionIndex>`) +
        `</samlp:LogoutRequest>`;
      return redirectMessage('SAMLRequest', xml, request.relayState, request.sign ?? true);
    },
    createLogoutResponse(response) {
      const status =
        response.success === false
          ? 'urn:oasis:names:tc:SAML:2.0:status:Responder'
          : 'urn:oasis:names:tc:SAML:2.0:status:Success';
      const xml =
        `<samlp:LogoutResponse xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="_lr${randomBytes(12).toString('hex')}" Version="2.0" IssueInstant="${iso(now())}" Destination="${escape(response.destination)}" InResponseTo="${escape(response.inResponseTo)}">` +
        `<saml:Issuer>${escape(options.entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${status}"/></samlp:Status></samlp:LogoutResponse>`;
      return redirectMessage('SAMLResponse', xml, response.relayState, true);
    },
  };

  async function encryptAssertion(xml: string, spCertificatePem: string): Promise<string> {
    const idp = samlify.IdentityProvider({
      entityID: options.entityId,
      signingCert: keyPair.certificatePem,
      privateKey: keyPair.privateKeyPem,
      isAssertionEncrypted: true,
      singleSignOnService: [{ Binding: REDIRECT, Location: ssoUrl }],
      singleLogoutService: [{ Binding: REDIRECT, Location: sloUrl }],
    });
    const sp = samlify.ServiceProvider({
      entityID: 'urn:test:encryption-target',
      encryptCert: spCertificatePem,
      assertionConsumerService: [
        { Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: 'https://sp.test/acs' },
      ],
    });
    const encoded = await samlify.SamlLib.encryptAssertion(idp, sp, xml);
    return Buffer.from(encoded, 'base64').toString('utf8');
  }
}

/** Algorithms of an XML signature (RSA-SHA256, SHA-256 and exclusive c14n of SignedInfo unless given). */
export interface SignatureAlgorithms {
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  readonly canonicalizationAlgorithm?: string;
}

/** An enveloped signature over the element whose ID is `id` (its content exclusive-c14n), placed after its Issuer. */
export function signSamlElement(
  xml: string,
  id: string,
  signer: TestKeyPair,
  algorithms: SignatureAlgorithms = {},
): string {
  const signature = new SignedXml({
    privateKey: signer.privateKeyPem,
    publicCert: signer.certificatePem,
    signatureAlgorithm: algorithms.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm:
      algorithms.canonicalizationAlgorithm ?? 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signature.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: algorithms.digestAlgorithm ?? 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signature.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `//*[@ID='${id}']/*[local-name()='Issuer']`, action: 'after' },
  });
  return signature.getSignedXml();
}

/** Base64 of a response XML string, as the ACS form carries it. */
export function encodeSamlMessage(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

/** Decodes a base64 SAMLResponse back to XML. */
export function decodeSamlMessage(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function pemBody(certificatePem: string): string {
  return certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function pem(label: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const part of rest) {
    const chunk = [part & 0x7f];
    for (let value = part >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return der(0x17, Buffer.from(text));
}
