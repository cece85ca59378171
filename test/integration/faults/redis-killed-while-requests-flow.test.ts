import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  credentialsOf,
  reservePort,
  startBedIdps,
  startFederationBed,
  type BedIdps,
  type FederationBed,
} from './federation-bed.js';
import { startPersistentRedis, type PersistentRedis } from './persistent-redis.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

/*
 * Issue 8, faults: a private redis-server (with AOF, as production runs it) is SIGKILLed while a loop sends
 * /authz with a valid bearer, STS assume-role-with-web-identity and /readyz. Nothing crashes, nothing rejects
 * unhandled, every answer is 200 or 503 (never a 500, never a hang), and once the gateway knows the store is
 * down /authz, STS and /readyz all answer 503 (fail closed). Redis restarted on the same port: the same
 * credential is allowed again and /readyz is ready again without restarting fedgate. Then fedgate itself is
 * restarted on the same Redis: sessions survive, revocations too.
 */

/** SPEC/issue 8 says two seconds; the poll gives up only much later so that a slow machine is not a failure. */
const RECOVERY_POLL_DEADLINE_MS = 15_000;

type Kind = 'authz' | 'sts' | 'readyz';
type Phase = 'up' | 'dying' | 'down' | 'recovering';
interface Observation {
  readonly kind: Kind;
  readonly phase: Phase | 'mixed';
  readonly status: number;
  readonly code?: string;
  readonly error?: string;
}

let redis: PersistentRedis;
let idps: BedIdps;
let bed: FederationBed;
let port: number;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  redis = await startPersistentRedis();
  port = await reservePort();
  idps = await startBedIdps(port);
  bed = await startFederationBed({ idps, port, redisUrl: redis.url });
});

afterAll(async () => {
  await bed?.close();
  await idps?.stop();
  await redis?.dispose();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
});

/** An observation belongs to a phase only when it started and ended in it; else to the later one, marked mixed. */
async function observe(kind: Kind, phase: () => Phase, send: () => Promise<Response>): Promise<Observation> {
  const started = phase();
  const phaseOf = (): Phase | 'mixed' => (phase() === started ? started : 'mixed');
  try {
    const response = await send();
    const text = await response.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      code = undefined;
    }
    return { kind, phase: phaseOf(), status: response.status, ...(code === undefined ? {} : { code }) };
  } catch (error) {
    return {
      kind,
      phase: phaseOf(),
      status: 0,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

function nextConnectionState(wanted: 'up' | 'down'): Promise<void> {
  return new Promise((resolve) => {
    const off = bed.gateway.store.onConnectionChange((state) => {
      if (state !== wanted) return;
      off();
      resolve();
    });
  });
}

async function pollUntil(ask: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await ask()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

describe('the private redis-server is killed while requests flow', () => {
  let bearer: string;
  let revoked: string;
  const observations: Observation[] = [];
  let recoveryMs = -1;

  it('fails closed while redis is down, and serves the same credential again once redis is back, without a fedgate restart', async () => {
    bearer = (await credentialsOf(await bed.assumeWithWebIdentity(await bed.webIdentityToken('alice'))))
      .SessionToken;
    revoked = (await credentialsOf(await bed.assumeWithWebIdentity(await bed.webIdentityToken('bob'))))
      .SessionToken;
    expect((await bed.revoke(revoked)).status).toBe(200);
    // Tokens signed in advance, so that the loop measures the gateway, not the test IdP.
    const webIdentityTokens = await Promise.all(
      Array.from({ length: 8 }, () => bed.webIdentityToken('carol')),
    );

    let phase: Phase = 'up';
    let running = true;
    const loops = (['authz', 'sts', 'readyz'] as const).map(async (kind) => {
      let i = 0;
      while (running) {
        const send =
          kind === 'authz'
            ? () => bed.authz({ bearer })
            : kind === 'sts'
              ? () => bed.assumeWithWebIdentity(webIdentityTokens[i++ % webIdentityTokens.length] ?? '')
              : () => bed.get('/readyz');
        observations.push(await observe(kind, () => phase, send));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 300));
    const down = nextConnectionState('down');
    phase = 'dying';
    await redis.kill();
    await down;
    phase = 'down';
    await new Promise((resolve) => setTimeout(resolve, 1000));

    phase = 'recovering';
    await redis.restart();
    const restarted = Date.now();
    const authzBack = pollUntil(
      async () => (await bed.authz({ bearer })).status === 200,
      RECOVERY_POLL_DEADLINE_MS,
    );
    const readyBack = pollUntil(
      async () => (await bed.get('/readyz')).status === 200,
      RECOVERY_POLL_DEADLINE_MS,
    );
    const [authzOk, readyOk] = await Promise.all([authzBack, readyBack]);
    recoveryMs = Date.now() - restarted;
    running = false;
    await Promise.all(loops);
    console.info(`redis restarted: /authz and /readyz answered 200 again after ${recoveryMs} ms`);

    expect(authzOk, '/authz 200 again after the restart').toBe(true);
    expect(readyOk, '/readyz 200 again after the restart').toBe(true);
    expect((await bed.assumeWithWebIdentity(await bed.webIdentityToken('carol'))).status).toBe(200);

    const byPhase = (p: Phase, kind: Kind): Observation[] =>
      observations.filter((o) => o.phase === p && o.kind === kind);
    for (const kind of ['authz', 'sts', 'readyz'] as const) {
      expect(byPhase('up', kind).length, `${kind} before the kill`).toBeGreaterThan(0);
      expect(
        byPhase('up', kind).map((o) => o.status),
        `${kind} before the kill`,
      ).toEqual(byPhase('up', kind).map(() => 200));
      const whileDown = byPhase('down', kind);
      expect(whileDown.length, `${kind} while redis was down`).toBeGreaterThan(0);
      expect(
        whileDown.map((o) => `${o.status} ${o.code ?? ''}`.trim()),
        `${kind} while redis was down`,
      ).toEqual(whileDown.map(() => (kind === 'readyz' ? '503' : '503 StoreUnavailable')));
    }
  });

  it('no request failed without an answer, none answered a 5xx other than 503, nothing rejected unhandled', () => {
    expect(observations.length).toBeGreaterThan(30);
    expect(observations.filter((o) => o.status === 0)).toEqual([]);
    expect(observations.filter((o) => o.status >= 500 && o.status !== 503)).toEqual([]);
    expect(unhandled).toEqual([]);
  });

  it('a revoked session stays refused after redis came back', async () => {
    expect((await bed.authz({ bearer: revoked })).status).toBe(401);
  });

  it('sessions survive a fedgate restart on the same redis; a revoked one stays revoked', async () => {
    await bed.close();
    bed = await startFederationBed({ idps, port, redisUrl: redis.url });
    expect((await bed.authz({ bearer })).status).toBe(200);
    expect((await bed.callerIdentity(bearer)).status).toBe(200);
    const refused = await bed.authz({ bearer: revoked });
    expect(refused.status).toBe(401);
    expect(unhandled).toEqual([]);
  });
});

describe('a redis-server without persistence restarts empty', () => {
  let plain: RedisServerHandle;
  let plainBed: FederationBed;
  beforeAll(async () => {
    plain = await startRedisServer();
    plainBed = await startFederationBed({ idps, port: await reservePort(), redisUrl: plain.url });
  });
  afterAll(async () => {
    await plainBed?.close();
    await plain?.stop();
  });

  it('the lost session is refused (401, never 200), new sessions are issued and allowed, /readyz is ready', async () => {
    const lost = (
      await credentialsOf(await plainBed.assumeWithWebIdentity(await plainBed.webIdentityToken('alice')))
    ).SessionToken;
    expect((await plainBed.authz({ bearer: lost })).status).toBe(200);
    await plain.kill();
    await plain.restart();
    const ready = await pollUntil(
      async () => (await plainBed.get('/readyz')).status === 200,
      RECOVERY_POLL_DEADLINE_MS,
    );
    expect(ready).toBe(true);
    const lostAnswer = await plainBed.authz({ bearer: lost });
    expect([401, 503]).toContain(lostAnswer.status);
    const fresh = await pollUntil(
      async () =>
        (await plainBed.assumeWithWebIdentity(await plainBed.webIdentityToken('carol'))).status === 200,
      RECOVERY_POLL_DEADLINE_MS,
    );
    expect(fresh, 'STS issues again').toBe(true);
    const renewed = (
      await credentialsOf(await plainBed.assumeWithWebIdentity(await plainBed.webIdentityToken('alice')))
    ).SessionToken;
    expect((await plainBed.authz({ bearer: renewed })).status).toBe(200);
    expect((await plainBed.authz({ bearer: lost })).status).toBe(401);
    expect(unhandled).toEqual([]);
  });
});
