import { afterEach, describe, expect, it } from 'vitest';
import { SamlServiceProvider } from '../../../src/identity-providers/saml/index.js';
import { createTestKeyPair, createTestSamlIdp } from '../../support/saml-idp.js';
import { expectRefused } from './saml-expect.js';
import { IDP_ENTITY_ID, T0, createSamlHarness, TEST_BROWSER } from './saml-test-provider.js';
import type { ProviderOverrides, SamlHarness } from './saml-test-provider.js';

const harnesses: SamlHarness[] = [];
const extraProviders: SamlServiceProvider[] = [];
afterEach(async () => {
  for (const p of extraProviders.splice(0)) p.close();
  for (const h of harnesses.splice(0)) {
    h.sp.close();
    await h.store.close();
  }
});
async function harness(overrides: ProviderOverrides = {}): Promise<SamlHarness> {
  const h = await createSamlHarness(overrides);
  harnesses.push(h);
  return h;
}

describe('SAML SP-initiated login', () => {
  it('accepts a signed response answering our AuthnRequest and normalises the identity (SPEC 5.1)', async () => {
    const h = await harness();
    const requestId = await h.startLogin('back-to-portal');
    const login = await h.sp.consumeResponse(
      {
        SAMLResponse: await h.response({
          inResponseTo: requestId,
          sessionIndex: '_session-1',
          nameQualifier: 'corp',
          authnInstant: T0 - 30_000,
          authnContextClassRef: 'https://refeds.org/profile/mfa',
        }),
        RelayState: 'back-to-portal',
      },
      TEST_BROWSER,
    );
    expect(login).toMatchObject({
      provider: 'corp-saml',
      providerType: 'saml',
      issuer: IDP_ENTITY_ID,
      subject: 'alice@example.com',
      nameIdValue: 'alice@example.com',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      nameQualifier: 'corp',
      audience: h.options.spEntityId,
      groups: ['engineers', 'oncall'],
      sessionName: 'alice@example.com',
      tags: { team: 'payments' },
      amr: ['https://refeds.org/profile/mfa'],
      mfa: true,
      authTime: Math.floor((T0 - 30_000) / 1000),
      relayState: 'back-to-portal',
      sessionIndex: '_session-1',
    });
    expect(login.attributes).toEqual({
      email: ['alice@example.com'],
      memberOf: ['engineers', 'oncall'],
      department: ['payments'],
    });
  });

  it('mfa is false when the AuthnContextClassRef is not a configured MFA class', async () => {
    const h = await harness();
    const login = await h.sp.consumeResponse(
      {
        SAMLResponse: await h.response({ inResponseTo: await h.startLogin() }),
      },
      TEST_BROWSER,
    );
    expect(login.mfa).toBe(false);
  });

  it('the AuthnRequest goes to the entry point, names our ACS and entity id, and carries the RelayState', async () => {
    const h = await harness();
    const url = await h.sp.beginLogin('rs-42', TEST_BROWSER).then((start) => start.url);
    expect(url.startsWith(h.idp.ssoUrl)).toBe(true);
    const request = h.idp.readRedirectRequest(url);
    expect(request).toMatchObject({
      issuer: h.options.spEntityId,
      acsUrl: h.options.acsUrl,
      relayState: 'rs-42',
      signed: false,
    });
    expect(request.destination).toBe(h.idp.ssoUrl);
  });

  it('signs the AuthnRequest when signAuthnRequests is set', async () => {
    const key = createTestKeyPair('sp-signing');
    const h = await harness({
      signAuthnRequests: true,
      signingKey: key.privateKeyPem,
      signingCertificate: key.certificatePem,
    });
    expect(
      h.idp.readRedirectRequest(await h.sp.beginLogin('x', TEST_BROWSER).then((start) => start.url)).signed,
    ).toBe(true);
  });

  it('a response may land on another gateway instance: the request id lives in the shared store', async () => {
    const h = await harness();
    const requestId = await h.startLogin();
    const otherInstance = await SamlServiceProvider.create(h.options, { store: h.store, now: h.clock.now });
    extraProviders.push(otherInstance);
    const login = await otherInstance.consumeResponse(
      {
        SAMLResponse: await h.response({ inResponseTo: requestId }),
      },
      TEST_BROWSER,
    );
    expect(login.subject).toBe('alice@example.com');
  });

  it('an AuthnRequest expires from the store: a late answer is refused', async () => {
    const h = await harness();
    const requestId = await h.startLogin();
    h.clock.advance(16 * 60_000);
    await expectRefused(
      h.sp.consumeResponse({ SAMLResponse: await h.response({ inResponseTo: requestId }) }, TEST_BROWSER),
      'unknown-in-response-to',
    );
  });

  it('accepts a response signed only at the response level when configured so', async () => {
    const h = await harness({ wantAssertionsSigned: false, wantResponseSigned: true });
    const login = await h.sp.consumeResponse(
      {
        SAMLResponse: await h.response({ inResponseTo: await h.startLogin(), sign: 'response' }),
      },
      TEST_BROWSER,
    );
    expect(login.subject).toBe('alice@example.com');
  });

  it('subject from an attribute (attr:<name>) when configured', async () => {
    const h = await harness({ subject: 'attr:email' });
    const login = await h.sp.consumeResponse(
      {
        SAMLResponse: await h.response({
          inResponseTo: await h.startLogin(),
          nameId: '_opaque-transient-id',
        }),
      },
      TEST_BROWSER,
    );
    expect(login.subject).toBe('alice@example.com');
    expect(login.nameIdValue).toBe('_opaque-transient-id');
  });

  it('missing-subject: the configured subject attribute is absent', async () => {
    const h = await harness({ subject: 'attr:employeeId' });
    await expectRefused(
      h.sp.consumeResponse(
        { SAMLResponse: await h.response({ inResponseTo: await h.startLogin() }) },
        TEST_BROWSER,
      ),
      'missing-subject',
    );
  });
});

describe('SAML IdP certificate rollover', () => {
  it('accepts responses signed by either configured certificate, and refuses an unlisted one', async () => {
    const oldKey = createTestKeyPair('idp-old');
    const newKey = createTestKeyPair('idp-new');
    const h = await harness();
    const options = { ...h.options, idpCertificates: [oldKey.certificatePem, newKey.certificatePem] };
    const sp = await SamlServiceProvider.create(options, { store: h.store, now: h.clock.now });
    extraProviders.push(sp);
    for (const keyPair of [oldKey, newKey]) {
      const idp = createTestSamlIdp({ entityId: IDP_ENTITY_ID, keyPair, now: h.clock.now });
      const requestId = idp.readRedirectRequest(
        await sp.beginLogin('x', TEST_BROWSER).then((start) => start.url),
      ).id;
      const response = await idp.createResponse({
        inResponseTo: requestId,
        destination: options.acsUrl,
        recipient: options.acsUrl,
        audience: options.spEntityId,
        nameId: 'alice@example.com',
        sign: 'assertion',
      });
      await expect(sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER)).resolves.toMatchObject({
        subject: 'alice@example.com',
      });
    }
    const requestId = h.idp.readRedirectRequest(
      await sp.beginLogin('x', TEST_BROWSER).then((start) => start.url),
    ).id;
    await expectRefused(
      sp.consumeResponse({ SAMLResponse: await h.response({ inResponseTo: requestId }) }, TEST_BROWSER),
      'bad-signature',
    );
  });
});
