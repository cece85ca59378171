import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import {
  botocoreSigned,
  smithyPresigned,
  smithySigned,
  type FedgateCredential,
  type SignedCall,
} from '../proxies/sigv4-through-proxy.js';
import { askForwarded, startGateway, type Answer, type GatewayUnderTest } from './authorizer-gateway.js';
import { ordersConfig } from './orders-config.js';

const HOST = 'orders.example.com';

/** The orders configuration with upload routes in each `sigv4Payload` mode. */
function sigv4Config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = ordersConfig();
  const upload = (mode: string | undefined) => ({
    host: HOST,
    methods: ['PUT'],
    path: `/uploads/${mode ?? 'default'}/:name`,
    action: 'app:Open',
    resource: 'arn:fedgate:app:::upload/${name}',
    ...(mode === undefined ? {} : { sigv4Payload: mode }),
  });
  return {
    ...base,
    routes: [
      ...(base.routes as unknown[]),
      upload('signed'),
      upload('unsigned'),
      upload('any'),
      upload(undefined),
    ],
    ...overrides,
  };
}

/** Asks /authz about a signed call the way Caddy/Traefik do: the original request in X-Forwarded-*. */
function ask(
  gateway: GatewayUnderTest,
  call: SignedCall,
  extra: Record<string, string> = {},
): Promise<Answer> {
  const { host, ...headers } = call.headers;
  return askForwarded(
    gateway,
    { method: call.method, host: host ?? HOST, uri: call.path, clientIp: '10.1.2.3' },
    { ...headers, ...extra },
  );
}

function code(answer: Answer): unknown {
  return (JSON.parse(answer.body) as { code?: unknown }).code;
}

async function credentialOf(
  gateway: GatewayUnderTest,
  roleName = 'Developer',
  durationSeconds = 3600,
): Promise<FedgateCredential & { sessionToken: string; sessionId: string }> {
  const issued = await gateway.issue({ roleName, tags: { team: 'payments' }, durationSeconds });
  return {
    accessKeyId: issued.accessKeyId,
    secretAccessKey: issued.secretAccessKey,
    sessionToken: issued.token,
    sessionId: issued.session.id,
  };
}

describe('/authz authenticates requests signed with a fedgate credential (SigV4)', () => {
  let clock = Date.now();
  let gateway: GatewayUnderTest;
  let credential: FedgateCredential;
  beforeAll(async () => {
    gateway = await startGateway({ config: sigv4Config(), now: () => clock });
    credential = await credentialOf(gateway);
  });
  afterAll(async () => {
    await gateway?.close();
  });
  const signingDate = () => ({ signingDate: new Date(clock) });

  it('a signed GET is allowed as the bearer token of the same session is, and cached like it', async () => {
    const call = await smithySigned(credential, { path: '/orders/42' }, signingDate());
    const first = await ask(gateway, call);
    expect(first.status).toBe(200);
    expect(first.headers['x-fedgate-role']).toBe('arn:fedgate:iam::000000000000:role/Developer');
    expect((await ask(gateway, call)).status).toBe(200);
  });

  it('a signed request for an order the policy denies is 403 ExplicitDeny, not an authentication failure', async () => {
    const answer = await ask(gateway, await smithySigned(credential, { path: '/orders/666' }, signingDate()));
    expect(answer.status).toBe(403);
    expect(code(answer)).toBe('ExplicitDeny');
  });

  it('tampered: 401 SignatureDoesNotMatch with an AWS4 challenge; the message echoes no request value', async () => {
    const call = await smithySigned(credential, { path: '/orders/42' }, signingDate());
    const authorization = call.headers['authorization']!;
    const flipped = authorization.endsWith('0') ? '1' : '0';
    const refused = await ask(gateway, call, { authorization: `${authorization.slice(0, -1)}${flipped}` });
    expect(refused.status).toBe(401);
    expect(code(refused)).toBe('SignatureDoesNotMatch');
    expect(refused.headers['www-authenticate']).toBe('AWS4-HMAC-SHA256 realm="fedgate"');
    expect(refused.body).not.toContain(credential.accessKeyId);
  });

  it('malformed-authorization: an AWS4 header without its parts is 401 IncompleteSignature', async () => {
    const call = await smithySigned(credential, { path: '/orders/42' }, signingDate());
    const answer = await ask(gateway, call, { authorization: 'AWS4-HMAC-SHA256 Credential=x' });
    expect(answer.status).toBe(401);
    expect(code(answer)).toBe('IncompleteSignature');
  });

  it('no-security-token: a signature without X-Amz-Security-Token names no session: InvalidClientTokenId', async () => {
    const call = await smithySigned(
      { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
      { path: '/orders/42' },
      signingDate(),
    );
    const answer = await ask(gateway, call);
    expect(answer.status).toBe(401);
    expect(code(answer)).toBe('InvalidClientTokenId');
  });

  it("another-session's-token: a signature by one session's key with another's token is InvalidClientTokenId", async () => {
    const other = await credentialOf(gateway);
    const call = await smithySigned(
      { ...credential, sessionToken: other.sessionToken },
      { path: '/orders/42' },
      signingDate(),
    );
    const answer = await ask(gateway, call);
    expect(answer.status).toBe(401);
    expect(code(answer)).toBe('InvalidClientTokenId');
  });

  it('presigned-url-with-bearer: two credentials at once are refused, not picked from', async () => {
    const call = await smithyPresigned(credential, { path: '/orders/42' });
    const answer = await ask(gateway, call, { authorization: `Bearer ${credential.sessionToken}` });
    expect(answer.status).toBe(401);
    expect(code(answer)).toBe('IncompleteSignature');
  });

  it('clock skew: 14 minutes either way is accepted, 16 minutes is RequestExpired', async () => {
    for (const minutes of [-14, 14])
      expect(
        (
          await ask(
            gateway,
            await smithySigned(
              credential,
              { path: '/orders/42' },
              { signingDate: new Date(clock + minutes * 60_000) },
            ),
          )
        ).status,
      ).toBe(200);
    for (const minutes of [-16, 16]) {
      const answer = await ask(
        gateway,
        await smithySigned(
          credential,
          { path: '/orders/42' },
          { signingDate: new Date(clock + minutes * 60_000) },
        ),
      );
      expect(answer.status).toBe(401);
      expect(code(answer)).toBe('RequestExpired');
    }
  });

  it('an expired session is 401 ExpiredToken, like an expired bearer token is refused', async () => {
    const short = await credentialOf(gateway, 'Developer', 900);
    expect(
      (await ask(gateway, await smithySigned(short, { path: '/orders/42' }, signingDate()))).status,
    ).toBe(200);
    clock += 901_000;
    try {
      const answer = await ask(gateway, await smithySigned(short, { path: '/orders/42' }, signingDate()));
      expect(answer.status).toBe(401);
      expect(code(answer)).toBe('ExpiredToken');
    } finally {
      clock -= 901_000;
    }
  });

  describe('sigv4Payload: forward auth verifies over x-amz-content-sha256 as sent', () => {
    const put = (mode: string, contentSha256?: string) =>
      smithySigned(
        credential,
        { method: 'PUT', path: `/uploads/${mode}/report.csv` },
        {
          ...signingDate(),
          ...(contentSha256 === undefined ? {} : { headers: { 'x-amz-content-sha256': contentSha256 } }),
        },
      );
    const bodyHash = 'a'.repeat(64);

    it('default and any: a declared body hash and UNSIGNED-PAYLOAD are both accepted', async () => {
      for (const mode of ['default', 'any'])
        for (const declared of [bodyHash, 'UNSIGNED-PAYLOAD'])
          expect((await ask(gateway, await put(mode, declared))).status, `${mode} ${declared}`).toBe(200);
    });

    it('signed: UNSIGNED-PAYLOAD is refused PayloadSigningNotAccepted; a declared hash is accepted', async () => {
      const refused = await ask(gateway, await put('signed', 'UNSIGNED-PAYLOAD'));
      expect(refused.status).toBe(401);
      expect(code(refused)).toBe('PayloadSigningNotAccepted');
      expect((await ask(gateway, await put('signed', bodyHash))).status).toBe(200);
    });

    it('unsigned: UNSIGNED-PAYLOAD is required; a body hash or no declaration is refused', async () => {
      expect((await ask(gateway, await put('unsigned', 'UNSIGNED-PAYLOAD'))).status).toBe(200);
      for (const declared of [bodyHash, undefined]) {
        const answer = await ask(gateway, await put('unsigned', declared));
        expect(answer.status).toBe(401);
        expect(code(answer)).toBe('PayloadSigningNotAccepted');
      }
    });

    it('a declaration changed after signing is SignatureDoesNotMatch (the hash is part of the signature)', async () => {
      const call = await put('any', bodyHash);
      const answer = await ask(gateway, call, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
      expect(answer.status).toBe(401);
      expect(code(answer)).toBe('SignatureDoesNotMatch');
    });

    it('without a declaration a header-signed request is verified over the empty body (botocore)', async () => {
      const call = await botocoreSigned(credential, {
        method: 'PUT',
        pathAndQuery: '/uploads/signed/empty.csv',
      });
      expect(call.headers['X-Amz-Content-SHA256'] ?? call.headers['x-amz-content-sha256']).toBeUndefined();
      // botocore signs at the real time, well within the skew of this gateway's clock.
      expect((await ask(gateway, call)).status).toBe(200);
    });
  });

  it('scope allow-lists: a region or service outside config sigv4 is SignatureDoesNotMatch', async () => {
    await gateway.reload(sigv4Config({ sigv4: { regions: ['eu-west-1'], services: ['*'] } }));
    try {
      const answer = await ask(
        gateway,
        await smithySigned(credential, { path: '/orders/42' }, signingDate()),
      );
      expect(answer.status).toBe(401);
      expect(code(answer)).toBe('SignatureDoesNotMatch');
      expect(JSON.parse(answer.body).detail).toMatch(/region/);
      await gateway.reload(sigv4Config({ sigv4: { regions: ['us-east-1'], services: ['execute-api'] } }));
      const service = await ask(
        gateway,
        await smithySigned(credential, { path: '/orders/42' }, signingDate()),
      );
      expect(JSON.parse(service.body).detail).toMatch(/service/);
      await gateway.reload(sigv4Config({ sigv4: { regions: ['us-east-1'], services: ['orders'] } }));
      expect(
        (await ask(gateway, await smithySigned(credential, { path: '/orders/42' }, signingDate()))).status,
      ).toBe(200);
    } finally {
      await gateway.reload(sigv4Config());
    }
  });

  it('every SigV4 refusal is audited with its code and counted as unauthenticated', async () => {
    const reasons = new Set<string | undefined>(gateway.audit.map((event) => event.reason));
    for (const reason of [
      'SignatureDoesNotMatch',
      'IncompleteSignature',
      'InvalidClientTokenId',
      'RequestExpired',
      'ExpiredToken',
      'PayloadSigningNotAccepted',
    ])
      expect(reasons.has(reason), reason).toBe(true);
    expect(JSON.stringify(gateway.audit)).not.toContain(credential.sessionToken);
  });
});

describe('SigV4 at /authz with two instances sharing a private redis-server', () => {
  let redis: RedisServerHandle;
  let first: GatewayUnderTest;
  let second: GatewayUnderTest;
  beforeAll(async () => {
    redis = await startRedisServer();
    first = await startGateway({ config: sigv4Config(), redisUrl: redis.url });
    second = await startGateway({ config: sigv4Config(), redisUrl: redis.url });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await redis?.stop();
  });

  it('a credential issued by one instance is verified by the other, and refused within 1 s once revoked there', async () => {
    const credential = await credentialOf(second);
    const call = () => smithySigned(credential, { path: '/orders/42' });
    expect((await ask(first, await call())).status).toBe(200);
    expect((await ask(first, await call())).status).toBe(200);
    await second.sessions.revokeSession(credential.sessionId);
    const deadline = Date.now() + 1000;
    let answer = await ask(first, await call());
    while (answer.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await ask(first, await call());
    }
    expect(answer.status).toBe(401);
    expect(code(answer)).toBe('InvalidClientTokenId');
  });

  it('redis killed: a signed request is 503 StoreUnavailable, never 200', async () => {
    const credential = await credentialOf(second);
    expect((await ask(first, await smithySigned(credential, { path: '/orders/42' }))).status).toBe(200);
    const down = new Promise<void>((resolve) => {
      const off = first.store.onConnectionChange((state) => {
        if (state !== 'down') return;
        off();
        resolve();
      });
    });
    await redis.kill();
    await down;
    const answer = await ask(first, await smithySigned(credential, { path: '/orders/42' }));
    expect(answer.status).toBe(503);
    expect(code(answer)).toBe('StoreUnavailable');
  });
});
