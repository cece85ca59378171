import { inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestKeyPair } from '../../support/saml-idp.js';
import { expectRefused } from './saml-expect.js';
import { createSamlHarness } from './saml-test-provider.js';
import type { SamlHarness } from './saml-test-provider.js';

let h: SamlHarness;
afterEach(async () => {
  h.sp.close();
  await h.store.close();
});

const spKey = createTestKeyPair('sp-signing');

async function signedHarness(): Promise<SamlHarness> {
  return createSamlHarness({ signingKey: spKey.privateKeyPem, signingCertificate: spKey.certificatePem });
}

describe('SAML single logout', () => {
  it('SP-initiated: a signed LogoutRequest to the IdP naming the NameID and session index', async () => {
    h = await signedHarness();
    const url = await h.sp.logoutRequestUrl(
      {
        nameIdValue: 'alice@example.com',
        nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        sessionIndex: '_s1',
      },
      'after-logout',
    );
    expect(url?.startsWith(h.idp.sloUrl)).toBe(true);
    const request = h.idp.readRedirectRequest(url ?? '');
    expect(request).toMatchObject({
      nameId: 'alice@example.com',
      sessionIndex: '_s1',
      relayState: 'after-logout',
      signed: true,
    });
    expect(request.xml).toContain('LogoutRequest');
  });

  it('no LogoutRequest URL when the IdP has no SLO endpoint', async () => {
    h = await createSamlHarness({ sloUrl: undefined });
    await expect(h.sp.logoutRequestUrl({ nameIdValue: 'alice@example.com' })).resolves.toBeUndefined();
  });

  it('accepts the IdP LogoutResponse answering our LogoutRequest, once', async () => {
    h = await signedHarness();
    const url = await h.sp.logoutRequestUrl({ nameIdValue: 'alice@example.com' }, 'rs');
    const { id } = h.idp.readRedirectRequest(url ?? '');
    const answer = h.idp.createLogoutResponse({
      destination: h.options.sloCallbackUrl,
      inResponseTo: id,
      relayState: 'rs',
    });
    await expect(h.sp.handleLogout({ binding: 'redirect', ...answer })).resolves.toEqual({
      kind: 'logout-response',
      success: true,
      relayState: 'rs',
    });
    await expectRefused(h.sp.handleLogout({ binding: 'redirect', ...answer }), 'unknown-in-response-to');
  });

  it('unknown-in-response-to: a LogoutResponse to a request we never sent', async () => {
    h = await signedHarness();
    const answer = h.idp.createLogoutResponse({
      destination: h.options.sloCallbackUrl,
      inResponseTo: '_never',
    });
    await expectRefused(h.sp.handleLogout({ binding: 'redirect', ...answer }), 'unknown-in-response-to');
  });

  it('IdP-initiated: a signed LogoutRequest yields the subject and a LogoutResponse URL', async () => {
    h = await signedHarness();
    const message = h.idp.createLogoutRequest({
      destination: h.options.sloCallbackUrl,
      nameId: 'alice@example.com',
      sessionIndex: '_s1',
      relayState: 'r',
      id: '_idp-logout-1',
    });
    const result = await h.sp.handleLogout({ binding: 'redirect', ...message });
    expect(result).toMatchObject({
      kind: 'logout-request',
      nameIdValue: 'alice@example.com',
      sessionIndexes: ['_s1'],
      relayState: 'r',
    });
    if (result.kind !== 'logout-request') throw new Error('expected a logout request');
    const responseUrl = new URL((await result.respond(true)) ?? '');
    expect(`${responseUrl.origin}${responseUrl.pathname}`).toBe(h.idp.sloUrl);
    const xml = inflateRawSync(
      Buffer.from(responseUrl.searchParams.get('SAMLResponse') ?? '', 'base64'),
    ).toString();
    expect(xml).toContain('InResponseTo="_idp-logout-1"');
    expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
  });

  it('unsigned-logout-message: an unsigned IdP LogoutRequest (anyone could log users out)', async () => {
    h = await signedHarness();
    const message = h.idp.createLogoutRequest({
      destination: h.options.sloCallbackUrl,
      nameId: 'alice@example.com',
      sign: false,
    });
    await expectRefused(h.sp.handleLogout({ binding: 'redirect', ...message }), 'unsigned-logout-message');
  });

  it('bad-signature: a LogoutRequest whose redirect signature does not verify', async () => {
    h = await signedHarness();
    const message = h.idp.createLogoutRequest({
      destination: h.options.sloCallbackUrl,
      nameId: 'alice@example.com',
      relayState: 'a',
    });
    const tamperedQuery = message.rawQuery.replace('RelayState=a', 'RelayState=b');
    await expectRefused(
      h.sp.handleLogout({
        binding: 'redirect',
        query: { ...message.query, RelayState: 'b' },
        rawQuery: tamperedQuery,
      }),
      'bad-signature',
    );
  });

  it('replayed-logout-request: the same IdP LogoutRequest twice', async () => {
    h = await signedHarness();
    const message = h.idp.createLogoutRequest({
      destination: h.options.sloCallbackUrl,
      nameId: 'alice@example.com',
    });
    await h.sp.handleLogout({ binding: 'redirect', ...message });
    await expectRefused(h.sp.handleLogout({ binding: 'redirect', ...message }), 'replayed-logout-request');
  });

  it('wrong-destination: a LogoutRequest addressed to another SP', async () => {
    h = await signedHarness();
    const message = h.idp.createLogoutRequest({
      destination: 'https://other.test/slo',
      nameId: 'alice@example.com',
    });
    await expectRefused(h.sp.handleLogout({ binding: 'redirect', ...message }), 'wrong-destination');
  });

  it('malformed-message: a repeated query parameter', async () => {
    h = await signedHarness();
    const message = h.idp.createLogoutRequest({
      destination: h.options.sloCallbackUrl,
      nameId: 'alice@example.com',
      relayState: 'a',
    });
    await expectRefused(
      h.sp.handleLogout({
        binding: 'redirect',
        query: message.query,
        rawQuery: `${message.rawQuery}&RelayState=b`,
      }),
      'malformed-message',
    );
  });
});
