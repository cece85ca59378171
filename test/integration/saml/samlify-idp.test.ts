import { randomUUID } from 'node:crypto';
import samlify from 'samlify';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SamlServiceProvider } from '../../../src/identity-providers/saml/index.js';
import type { SamlProviderOptions } from '../../../src/identity-providers/saml/index.js';
import { createMemoryStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTestKeyPair } from '../../support/saml-idp.js';
import { expectRefused } from './saml-expect.js';
import { IDP_ENTITY_ID, T0, createClock, providerOptions, TEST_BROWSER } from './saml-test-provider.js';
import type { ProviderOverrides } from './saml-test-provider.js';

/**
 * fedgate's SP against an IdP we did not write: samlify builds and signs every response here, from a
 * ServiceProvider it reads out of fedgate's own SP metadata; fedgate imports samlify's IdP metadata.
 */

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const MFA = 'https://refeds.org/profile/mfa';
const IDP_METADATA_URL = 'https://idp.example.test/samlify/metadata';
const SSO_URL = 'https://idp.example.test/samlify/sso';
const SLO_URL = 'https://idp.example.test/samlify/slo';

// samlify refuses to parse anything until a schema validator is set. The messages it parses here are
// fedgate's AuthnRequests, which these tests do not set out to schema-check, so validation is skipped.
beforeAll(() => {
  samlify.setSchemaValidator({ validate: async () => 'skipped' });
});

// samlify stamps IssueInstant/NotBefore/NotOnOrAfter from `new Date()`; pinning Date to the SP's injected
// clock keeps both sides on the same instant without any real waiting.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.useRealTimers();
});

/**
 * A samlify IdP; `withAttributes` adds an AttributeStatement via its templates. samlify's default template
 * leaves `{AuthnStatement}` empty, and an assertion without one is refused (SAML profiles 4.1.4.2), so it is
 * always filled in.
 */
function samlifyIdp(withAttributes: boolean) {
  const keys = createTestKeyPair('samlify-idp');
  const base = samlify.SamlLib.defaultLoginResponseTemplate.context;
  const authnStatement = base.replace(
    '{AuthnStatement}',
    '<saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="_samlify-default-session"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>',
  );
  return samlify.IdentityProvider({
    entityID: IDP_ENTITY_ID,
    signingCert: keys.certificatePem,
    privateKey: keys.privateKeyPem,
    nameIDFormat: [EMAIL_FORMAT],
    singleSignOnService: [{ Binding: REDIRECT, Location: SSO_URL }],
    singleLogoutService: [{ Binding: REDIRECT, Location: SLO_URL }],
    ...(withAttributes
      ? {
          loginResponseTemplate: {
            context: base.replace(
              '{AuthnStatement}',
              '<saml:AuthnStatement AuthnInstant="{IssueInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>{AuthnContextClassRef}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>',
            ),
            attributes: [
              attribute('email', 'email'),
              attribute('memberOf', 'group'),
              attribute('department', 'department'),
            ],
          },
        }
      : { loginResponseTemplate: { context: authnStatement, attributes: [] } }),
  });
}

function attribute(name: string, valueTag: string) {
  return {
    name,
    valueTag,
    nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
    valueXsiType: 'xs:string',
  };
}

type SamlifyIdp = ReturnType<typeof samlifyIdp>;

interface Setup {
  readonly idp: SamlifyIdp;
  /** samlify's view of fedgate, built from fedgate's metadata. */
  readonly samlifySp: ReturnType<typeof samlify.ServiceProvider>;
  readonly sp: SamlServiceProvider;
  readonly options: SamlProviderOptions;
  readonly store: Store;
}

async function setup(
  overrides: ProviderOverrides,
  idp: SamlifyIdp,
  samlifySpSettings: { readonly wantMessageSigned?: boolean } = {},
): Promise<Setup> {
  const clock = createClock(T0);
  const store = createMemoryStore({ now: clock.now });
  const options = providerOptions({
    metadataUrl: IDP_METADATA_URL,
    entryPoint: undefined,
    sloUrl: undefined,
    idpCertificates: [],
    ...overrides,
  });
  const idpMetadata = idp.getMetadata();
  const sp = await SamlServiceProvider.create(options, {
    store,
    now: clock.now,
    fetch: async (url) => {
      expect(String(url)).toBe(IDP_METADATA_URL);
      return new Response(idpMetadata, { headers: { 'content-type': 'application/samlmetadata+xml' } });
    },
  });
  cleanups.push(
    () => store.close(),
    () => sp.close(),
  );
  expect(sp.isReady()).toBe(true);
  const samlifySp = samlify.ServiceProvider({ metadata: sp.metadataXml(), ...samlifySpSettings });
  return { idp, samlifySp, sp, options, store };
}

/** Runs our AuthnRequest through samlify's IdP, exactly as the browser would carry it. */
async function samlifyReadsOurRequest(s: Setup, relayState: string) {
  const url = new URL(await s.sp.beginLogin(relayState, TEST_BROWSER).then((start) => start.url));
  expect(`${url.origin}${url.pathname}`).toBe(SSO_URL);
  const parsed = await s.idp.parseLoginRequest(s.samlifySp, 'redirect', {
    query: Object.fromEntries(url.searchParams),
    octetString: url.search.slice(1),
  });
  const id = parsed.extract.request?.['id'];
  if (typeof id !== 'string') throw new TypeError('samlify found no AuthnRequest id');
  return { id, requestInfo: { extract: parsed.extract } };
}

async function samlifyResponse(
  s: Setup,
  requestInfo: Parameters<SamlifyIdp['createLoginResponse']>[1],
  user: { readonly email: string },
  customTagReplacement?: (template: string) => { id: string; context: string },
): Promise<string> {
  // samlify fills its own template (which has no AuthnStatement) unless given a replacement: fill the IdP's
  // template as samlify would, answering the request it read (InResponseTo="" when there is none).
  const requestId = (requestInfo as { extract?: { request?: { id?: string } } }).extract?.request?.id ?? '';
  const result = await s.idp.createLoginResponse(s.samlifySp, requestInfo, 'post', user, {
    customTagReplacement: customTagReplacement ?? fillTemplate(s, requestId, user.email),
  });
  return result.context;
}

/** samlify's documented way to fill a template with attributes: the caller replaces every tag. */
function fillTemplate(s: Setup, inResponseTo: string | undefined, nameId = 'carol@example.com') {
  return (template: string): { id: string; context: string } => {
    const id = `_${randomUUID()}`;
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 5 * 60_000).toISOString();
    const values: Record<string, string | undefined> = {
      ID: id,
      AssertionID: `_${randomUUID()}`,
      Destination: s.options.acsUrl,
      Audience: s.options.spEntityId,
      SubjectRecipient: s.options.acsUrl,
      Issuer: IDP_ENTITY_ID,
      IssueInstant: now,
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: now,
      ConditionsNotOnOrAfter: later,
      SubjectConfirmationDataNotOnOrAfter: later,
      NameIDFormat: EMAIL_FORMAT,
      NameID: nameId,
      InResponseTo: inResponseTo,
      SessionIndex: '_samlify-session',
      AuthnContextClassRef: MFA,
      attrEmail: 'carol@example.com',
      attrGroup: 'auditors',
      attrDepartment: 'finance',
    };
    return { id, context: samlify.SamlLib.replaceTagsByValue(template, values) };
  };
}

describe('responses signed by samlify (a SAML IdP library we did not write)', () => {
  it('SP-initiated: samlify answers our AuthnRequest and we accept its signed response once', async () => {
    const s = await setup({}, samlifyIdp(false));
    const request = await samlifyReadsOurRequest(s, 'to-portal');
    expect(request.id).toMatch(/^_/);

    const response = await samlifyResponse(s, request.requestInfo, { email: 'alice@example.com' });
    const xml = Buffer.from(response, 'base64').toString('utf8');
    expect(xml).toContain(`InResponseTo="${request.id}"`);
    expect(xml).toMatch(/<saml:Assertion[^>]*>.*<ds:Signature/s);

    const login = await s.sp.consumeResponse(
      { SAMLResponse: response, RelayState: 'to-portal' },
      TEST_BROWSER,
    );
    expect(login).toMatchObject({
      provider: s.options.id,
      issuer: IDP_ENTITY_ID,
      subject: 'alice@example.com',
      nameIdValue: 'alice@example.com',
      nameIdFormat: EMAIL_FORMAT,
      relayState: 'to-portal',
    });
    await expectRefused(
      s.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER),
      'unknown-in-response-to',
    );
  });

  it('SP-initiated: attributes, AuthnContext and a signed Response (wantResponseSigned) from samlify', async () => {
    const s = await setup({ wantResponseSigned: true }, samlifyIdp(true), { wantMessageSigned: true });
    const request = await samlifyReadsOurRequest(s, 'rs');
    const response = await samlifyResponse(
      s,
      request.requestInfo,
      { email: 'carol@example.com' },
      fillTemplate(s, request.id),
    );
    const xml = Buffer.from(response, 'base64').toString('utf8');
    expect(xml.match(/<ds:Signature /g)).toHaveLength(2);

    const login = await s.sp.consumeResponse({ SAMLResponse: response, RelayState: 'rs' }, TEST_BROWSER);
    expect(login).toMatchObject({
      subject: 'carol@example.com',
      groups: ['auditors'],
      sessionName: 'carol@example.com',
      tags: { team: 'finance' },
      amr: [MFA],
      mfa: true,
      sessionIndex: '_samlify-session',
    });
  });

  it('SP-initiated: a samlify response answering another request is refused', async () => {
    const s = await setup({}, samlifyIdp(false));
    await samlifyReadsOurRequest(s, 'rs');
    const response = await samlifyResponse(
      s,
      { extract: { request: { id: '_request-we-never-sent' } } },
      { email: 'alice@example.com' },
    );
    await expectRefused(
      s.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER),
      'unknown-in-response-to',
    );
  });

  it('IdP-initiated: an unsolicited samlify response is accepted when allowIdpInitiated is true', async () => {
    const s = await setup({ allowIdpInitiated: true }, samlifyIdp(true));
    const response = await samlifyResponse(
      s,
      { extract: {} },
      { email: 'carol@example.com' },
      fillTemplate(s, undefined),
    );
    expect(Buffer.from(response, 'base64').toString('utf8')).not.toContain('InResponseTo');
    const login = await s.sp.consumeResponse(
      { SAMLResponse: response, RelayState: 'deep/link' },
      TEST_BROWSER,
    );
    expect(login).toMatchObject({ subject: 'carol@example.com', relayState: 'deep/link', mfa: true });
    await expectRefused(s.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER), 'replayed-assertion');
  });

  // samlify's default template renders InResponseTo="" (Response and SubjectConfirmationData) when there
  // is no request; it answers nothing, so it must read as absent, as node-saml itself treats it.
  it('IdP-initiated: samlify out of the box (empty InResponseTo) is accepted when allowIdpInitiated', async () => {
    const s = await setup({ allowIdpInitiated: true }, samlifyIdp(false));
    const response = await samlifyResponse(s, { extract: {} }, { email: 'alice@example.com' });
    expect(Buffer.from(response, 'base64').toString('utf8')).toContain('InResponseTo=""');
    await expect(s.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER)).resolves.toMatchObject({
      subject: 'alice@example.com',
    });
  });

  it('unsolicited-response: the same unsolicited samlify response is refused when allowIdpInitiated is false', async () => {
    const s = await setup({ allowIdpInitiated: false }, samlifyIdp(true));
    const response = await samlifyResponse(
      s,
      { extract: {} },
      { email: 'carol@example.com' },
      fillTemplate(s, undefined),
    );
    await expectRefused(
      s.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER),
      'unsolicited-response',
    );
  });
});
