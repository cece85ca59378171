import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SamlServiceProvider } from '../../../src/identity-providers/saml/index.js';
import { createMemoryStore } from '../../../src/store/index.js';
import { createTestKeyPair, createTestSamlIdp } from '../../support/saml-idp.js';
import { expectRefused } from './saml-expect.js';
import { IDP_ENTITY_ID, createClock, providerOptions, TEST_BROWSER } from './saml-test-provider.js';

/** A loopback metadata server whose answer the test controls. */
interface MetadataServer {
  readonly url: string;
  body: string;
  status: number;
  requests: number;
  close(): Promise<void>;
}

async function startMetadataServer(body: string): Promise<MetadataServer> {
  const state = { body, status: 200, requests: 0 };
  const server: Server = createServer((_request, response) => {
    state.requests += 1;
    response.writeHead(state.status, { 'content-type': 'application/samlmetadata+xml' });
    response.end(state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/metadata`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(firstKey = createTestKeyPair('meta-idp-1')) {
  const clock = createClock();
  const store = createMemoryStore({ now: clock.now });
  const idp = createTestSamlIdp({
    entityId: IDP_ENTITY_ID,
    keyPair: firstKey,
    ssoUrl: 'https://idp.meta.test/sso',
    sloUrl: 'https://idp.meta.test/slo',
    now: clock.now,
  });
  const server = await startMetadataServer(idp.metadataXml);
  const { entryPoint: _entryPoint, sloUrl: _sloUrl, ...base } = providerOptions({ idpCertificates: [] });
  const options = { ...base, metadataUrl: server.url, metadataRefreshSeconds: 3600 };
  const sp = await SamlServiceProvider.create(options, { store, now: clock.now });
  cleanups.push(
    () => store.close(),
    () => server.close(),
    () => sp.close(),
  );
  const respond = async (signer: typeof idp) =>
    signer.createResponse({
      inResponseTo: signer.readRedirectRequest(
        await sp.beginLogin('x', TEST_BROWSER).then((start) => start.url),
      ).id,
      destination: options.acsUrl,
      recipient: options.acsUrl,
      audience: options.spEntityId,
      nameId: 'alice@example.com',
      sign: 'assertion',
    });
  return { clock, store, idp, server, options, sp, respond };
}

describe('SAML IdP metadata import (metadataUrl)', () => {
  it('takes the SSO URL and signing certificate from metadata served on loopback', async () => {
    const { sp, idp, respond } = await setup();
    expect(sp.isReady()).toBe(true);
    expect(
      (await sp.beginLogin('x', TEST_BROWSER).then((start) => start.url)).startsWith(
        'https://idp.meta.test/sso?',
      ),
    ).toBe(true);
    await expect(
      sp.consumeResponse({ SAMLResponse: await respond(idp) }, TEST_BROWSER),
    ).resolves.toMatchObject({
      subject: 'alice@example.com',
    });
  });

  it('a refresh picks up a rolled-over key', async () => {
    const { sp, server, clock, respond } = await setup();
    const rolled = createTestSamlIdp({
      entityId: IDP_ENTITY_ID,
      keyPair: createTestKeyPair('meta-idp-2'),
      ssoUrl: 'https://idp.meta.test/sso',
      now: clock.now,
    });
    await expectRefused(
      sp.consumeResponse({ SAMLResponse: await respond(rolled) }, TEST_BROWSER),
      'bad-signature',
    );
    server.body = rolled.metadataXml;
    await sp.refreshIdpMetadata();
    await expect(
      sp.consumeResponse({ SAMLResponse: await respond(rolled) }, TEST_BROWSER),
    ).resolves.toMatchObject({
      subject: 'alice@example.com',
    });
  });

  it('keeps the last good metadata when a refresh fails (HTTP error or garbage)', async () => {
    const { sp, server, idp, respond } = await setup();
    server.status = 500;
    await expect(sp.refreshIdpMetadata()).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    server.status = 200;
    server.body = '<not metadata';
    await expect(sp.refreshIdpMetadata()).rejects.toMatchObject({ code: 'InvalidConfiguration' });
    server.body = createTestSamlIdp({ entityId: 'https://someone-else.test', now: () => 0 }).metadataXml;
    await expect(sp.refreshIdpMetadata()).rejects.toMatchObject({ code: 'InvalidConfiguration' });
    await expect(
      sp.consumeResponse({ SAMLResponse: await respond(idp) }, TEST_BROWSER),
    ).resolves.toMatchObject({
      subject: 'alice@example.com',
    });
  });

  it('starts without metadata when the first fetch fails, refuses logins with 503, and recovers on refresh', async () => {
    const clock = createClock();
    const store = createMemoryStore({ now: clock.now });
    const idp = createTestSamlIdp({ entityId: IDP_ENTITY_ID, now: clock.now });
    const server = await startMetadataServer('');
    server.status = 503;
    const { entryPoint: _e, ...base } = providerOptions({ idpCertificates: [] });
    const sp = await SamlServiceProvider.create(
      { ...base, metadataUrl: server.url },
      { store, now: clock.now },
    );
    cleanups.push(
      () => store.close(),
      () => server.close(),
      () => sp.close(),
    );
    expect(sp.isReady()).toBe(false);
    await expect(sp.beginLogin('x', TEST_BROWSER).then((start) => start.url)).rejects.toMatchObject({
      code: 'InvalidSamlResponse',
      status: 503,
      reason: 'idp-metadata-unavailable',
    });
    server.status = 200;
    server.body = idp.metadataXml;
    await sp.refreshIdpMetadata();
    expect(sp.isReady()).toBe(true);
  });

  it('a DOCTYPE in metadata is refused', async () => {
    const { sp, server, idp } = await setup();
    server.body = `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${idp.metadataXml}`;
    await expect(sp.refreshIdpMetadata()).rejects.toMatchObject({ code: 'InvalidConfiguration' });
  });
});
