import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecordOf } from '../../../src/audit/index.js';
import { parseCertificate } from '../../../src/roles-anywhere/index.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { issueEndEntity, revoke, writeCrl } from '../../support/x509-pki.js';
import {
  authorize,
  buildPki,
  rolesAnywhereConfig,
  send,
  signedAsk,
  type RolesAnywherePki,
} from './roles-anywhere-bed.js';

/*
 * Revocation of certificate sessions: a CRL refresh that lists a certificate ends the sessions it opened on
 * every instance sharing the store (real Redis, two gateways), CRLs from a loopback URL keep their last good
 * copy, and revoking by certificate (serial + issuer) ends its sessions.
 */

const KEK = 'a-test-key-encryption-key-of-at-least-32-chars';
let pki: RolesAnywherePki;

beforeAll(() => {
  pki = buildPki();
}, 120_000);

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function sessionToken(url: string, response: Response): Promise<string> {
  expect(response.status).toBe(201);
  const body = (await response.json()) as { credentialSet: { credentials: { sessionToken: string } }[] };
  return body.credentialSet[0]?.credentials.sessionToken ?? '';
}

describe('a CRL refresh that adds a serial', () => {
  let redis: RedisServerHandle;
  let watcher: GatewayFixture;
  let other: GatewayFixture;
  let crlCopy: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    crlCopy = join(pki.dir, 'watched.crl.pem');
    copyFileSync(pki.crlPath, crlCopy);
    // Two instances of one deployment: one store, one public URL (the credentials' issuer).
    const shared = {
      store: { kind: 'redis', url: redis.url, keyPrefix: 'fedgate-ra:' },
      publicUrl: 'https://sso.example.test',
    };
    const env = { FEDGATE_KEY_ENCRYPTION_KEY: KEK };
    // One instance re-reads the CRL every second; the other would not for an hour.
    watcher = await startGatewayFixture({
      config: { ...rolesAnywhereConfig(pki, { crls: [crlCopy], crlRefresh: 1 }), ...shared },
      env,
    });
    other = await startGatewayFixture({
      config: { ...rolesAnywhereConfig(pki, { crls: [crlCopy] }), ...shared },
      env,
    });
  }, 60_000);

  afterAll(async () => {
    await other?.close();
    await watcher?.close();
    await redis?.stop();
  });

  it('ends the sessions that certificate opened, on every instance, and refuses new ones', async () => {
    const victim = issueEndEntity(pki.issuing, {
      name: 'crl-victim',
      subject: '/O=Example/OU=payments/CN=app-rsa.example.internal',
    });
    const bystander = issueEndEntity(pki.issuing, {
      name: 'crl-bystander',
      subject: '/O=Example/OU=payments/CN=app-rsa.example.internal',
    });
    const victimToken = await sessionToken(
      other.url,
      await send(signedAsk(other.url, victim, { role: 'Payments' })),
    );
    const bystanderToken = await sessionToken(
      other.url,
      await send(signedAsk(other.url, bystander, { role: 'Payments' })),
    );
    expect((await authorize(other.url, victimToken, '/orders/payments/1')).status).toBe(200);
    expect((await authorize(watcher.url, victimToken, '/orders/payments/1')).status).toBe(200);

    revoke(pki.issuing, victim);
    writeCrl(pki.issuing, crlCopy);

    // The watcher's refresh revokes the certificate's subject; the other instance hears it on the channel.
    await until(async () => (await authorize(other.url, victimToken, '/orders/payments/1')).status === 401);
    expect((await authorize(watcher.url, victimToken, '/orders/payments/1')).status).toBe(401);
    expect((await authorize(other.url, bystanderToken, '/orders/payments/1')).status).toBe(200);
    const revocation = watcher.audit.find(
      (record) =>
        record.event === 'session.revoked' && record.details?.certificateSerial === victim.serialHex,
    );
    expect(revocation).toMatchObject({ outcome: 'success', details: { scope: 'certificate' } });
    // New sessions for the certificate are refused by the refreshed CRL.
    const again = await send(signedAsk(watcher.url, victim, { role: 'Payments' }));
    expect(again.status).toBe(403);
    expect(((await again.json()) as { code: string }).code).toBe('CertificateRevoked');
  });

  it('revoking by certificate (serial + issuer) through POST /sts/revoke ends its sessions', async () => {
    const holder = issueEndEntity(pki.issuing, {
      name: 'revoked-by-admin',
      subject: '/O=Example/OU=payments/CN=app-rsa.example.internal',
    });
    const token = await sessionToken(
      watcher.url,
      await send(signedAsk(watcher.url, holder, { role: 'Payments' })),
    );
    expect((await authorize(other.url, token, '/orders/payments/1')).status).toBe(200);
    // An operator session allowed fedgate:RevokeSessions names the certificate by serial and issuer.
    const operator = await sessionToken(
      watcher.url,
      await send(signedAsk(watcher.url, pki.ecSpiffe, { role: 'Deployer' })),
    );
    // The README's openssl recipe names the same subject fedgate gave the session.
    const subject = execFileSync(
      'bash',
      [
        '-c',
        `echo "x509:$(openssl x509 -in cert.pem -noout -serial | cut -d= -f2 | tr A-F a-f | sed 's/^0*//')@$(openssl x509 -in cert.pem -noout -issuer -nameopt RFC2253 | cut -d= -f2-)"`,
      ],
      { cwd: dirname(holder.certPath), encoding: 'utf8' },
    ).trim();
    const certificate = parseCertificate(holder.der);
    expect(subject).toBe(`x509:${certificate.serialHex}@${certificate.issuer.text}`);
    const response = await fetch(`${watcher.url}/sts/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Subject: subject }),
    });
    expect(response.status).toBe(200);
    await until(async () => (await authorize(other.url, token, '/orders/payments/1')).status === 401);
  });
});

/**
 * A gateway whose trust anchor's CRL is served over loopback HTTP, refreshed every second: `serve` gives the
 * CRL's bytes for each fetch, or undefined for a 500.
 */
async function gatewayWithServedCrl(
  serve: () => Buffer | undefined,
): Promise<{ server: Server; fx: GatewayFixture }> {
  const server = createServer((_req, res) => {
    const body = serve();
    if (body === undefined) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/pkix-crl' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const fx = await startGatewayFixture({
    config: rolesAnywhereConfig(pki, { crls: [`http://127.0.0.1:${port}/issuing.crl`], crlRefresh: 1 }),
  });
  return { server, fx };
}

describe('a CRL from a loopback URL', () => {
  let server: Server;
  let fx: GatewayFixture;
  let serving: Buffer;
  let fetches = 0;

  beforeAll(async () => {
    serving = readFileSync(pki.crlPath);
    ({ server, fx } = await gatewayWithServedCrl(() => {
      fetches += 1;
      return serving;
    }));
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('is loaded at start, and a broken copy later leaves the last good one in force', async () => {
    const first = await send(signedAsk(fx.url, pki.revoked, { role: 'Payments' }));
    expect(((await first.json()) as { code: string }).code).toBe('CertificateRevoked');
    serving = Buffer.from('-----BEGIN X509 CRL-----\nnot a crl\n-----END X509 CRL-----\n');
    const seen = fetches;
    await until(async () => fetches >= seen + 2);
    const second = await send(signedAsk(fx.url, pki.revoked, { role: 'Payments' }));
    expect(((await second.json()) as { code: string }).code).toBe('CertificateRevoked');
    expect((await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments' }))).status).toBe(201);
  });
});

describe('a CRL that has never loaded', () => {
  let server: Server;
  let fx: GatewayFixture;
  let available = false;

  beforeAll(async () => {
    const crl = readFileSync(pki.crlPath);
    ({ server, fx } = await gatewayWithServedCrl(() => (available ? crl : undefined)));
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('fails closed: its anchor answers 503 until the CRL loads, then revocation applies', async () => {
    const early = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments' }));
    expect(early.status).toBe(503);
    expect(((await early.json()) as { code: string }).code).toBe('ServiceUnavailable');
    const refusal = fx.audit.find(
      (record): record is AuditRecordOf<'role.refused'> =>
        record.event === 'role.refused' && record.requestId === early.headers.get('x-request-id'),
    );
    expect(refusal?.details?.refusal).toBe('RevocationListUnavailable');
    available = true;
    await until(async () => (await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments' }))).status === 201);
    const revoked = await send(signedAsk(fx.url, pki.revoked, { role: 'Payments' }));
    expect(((await revoked.json()) as { code: string }).code).toBe('CertificateRevoked');
  });
});

describe('the store down', () => {
  let redis: RedisServerHandle;
  let fx: GatewayFixture;

  beforeAll(async () => {
    redis = await startRedisServer();
    fx = await startGatewayFixture({
      config: {
        ...rolesAnywhereConfig(pki),
        store: { kind: 'redis', url: redis.url, keyPrefix: 'fedgate-ra-down:' },
      },
      env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK },
    });
  }, 60_000);

  afterAll(async () => {
    await fx?.close();
    await redis?.stop();
  });

  it('fails closed: with the replay cache unreachable, CreateSession is 503 StoreUnavailable and issues nothing', async () => {
    expect((await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments' }))).status).toBe(201);
    const down = new Promise<void>((resolve) => {
      const off = fx.gateway.store.onConnectionChange((state) => {
        if (state !== 'down') return;
        off();
        resolve();
      });
    });
    await redis.kill();
    await down;
    const response = await send(signedAsk(fx.url, pki.rsaApp, { role: 'Payments' }));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe('StoreUnavailable');
    const refusal = fx.audit.find(
      (record) =>
        record.event === 'role.refused' && record.requestId === response.headers.get('x-request-id'),
    );
    expect(refusal).toMatchObject({ outcome: 'failure', reason: 'StoreUnavailable' });
  });
});
