import type { Express } from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/http/index.js';
import {
  createRateLimits,
  LOGIN_START_FACTOR,
  rateLimitMount,
  type RateLimits,
} from '../../../src/http/rate-limit.js';
import { GatewayMetrics } from '../../../src/observability/metrics.js';
import { suiteLogger } from '../../support/suite-log-capture.js';

const BUDGET = { points: 3, duration: 60 };

const opened: RateLimits[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((limits) => limits.close()));
});

function appWith(limits: RateLimits, trustProxies: readonly string[] = []): Express {
  opened.push(limits);
  return createHttpApp({
    logger: suiteLogger(),
    metrics: new GatewayMetrics({ defaultMetrics: false }),
    readiness: {},
    trustProxies,
    mounts: [
      rateLimitMount(limits),
      (app) => {
        app.get('/login', (_req, res) => {
          res.json({ ok: true });
        });
        app.post('/saml/:idp/acs', (_req, res) => {
          res.json({ ok: true });
        });
        app.post('/sts/assume-role', (_req, res) => {
          res.json({ ok: true });
        });
        app.post('/oauth2/token', (_req, res) => {
          res.json({ ok: true });
        });
      },
    ],
  });
}

function memoryLimits(): RateLimits {
  return createRateLimits({ login: BUDGET, sts: BUDGET, token: BUDGET }, { kind: 'memory', keyPrefix: 't:' });
}

describe('rate limits per client address (memory store)', () => {
  it('answers 429 problem+json TooManyRequests with Retry-After once the STS budget is spent', async () => {
    const app = appWith(memoryLimits());
    for (let i = 0; i < BUDGET.points; i++) await request(app).post('/sts/assume-role').expect(200);
    const refused = await request(app).post('/sts/assume-role').expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, code: 'TooManyRequests' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(BUDGET.duration);
  });

  it('counts one point per completed sign-in: the start hops do not spend the login budget', async () => {
    const app = appWith(memoryLimits());
    // Each round trip is /login, /login/:idp (here: /login twice) and the ACS; BUDGET.points of them pass.
    for (let i = 0; i < BUDGET.points; i++) {
      await request(app).get('/login').expect(200);
      await request(app).get('/login').expect(200);
      await request(app).post('/saml/okta/acs').expect(200);
    }
    const refused = await request(app).post('/saml/okta/acs').expect(429);
    expect(refused.body.code).toBe('TooManyRequests');
    expect(refused.headers['retry-after']).toBeDefined();
  });

  it(`a flood of login starts alone is cut off after ${LOGIN_START_FACTOR} times the login budget`, async () => {
    const app = appWith(memoryLimits());
    for (let i = 0; i < BUDGET.points * LOGIN_START_FACTOR; i++) await request(app).get('/login').expect(200);
    expect((await request(app).get('/login').expect(429)).body.code).toBe('TooManyRequests');
  });

  it('answers the token endpoint in the RFC 6749 error shape with Retry-After and no-store', async () => {
    const app = appWith(memoryLimits());
    for (let i = 0; i < BUDGET.points; i++) await request(app).post('/oauth2/token').expect(200);
    const refused = await request(app).post('/oauth2/token').expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.body.error).toBe('too_many_requests');
    expect(typeof refused.body.error_description).toBe('string');
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('keeps separate budgets per endpoint family', async () => {
    const app = appWith(memoryLimits());
    for (let i = 0; i < BUDGET.points; i++) await request(app).post('/sts/assume-role').expect(200);
    await request(app).post('/sts/assume-role').expect(429);
    await request(app).post('/oauth2/token').expect(200);
    await request(app).get('/login').expect(200);
  });

  it('keeps separate budgets per client address behind a trusted proxy', async () => {
    const app = appWith(memoryLimits(), ['127.0.0.1/32', '::1/128']);
    for (let i = 0; i < BUDGET.points; i++)
      await request(app).post('/sts/assume-role').set('X-Forwarded-For', '198.51.100.7').expect(200);
    await request(app).post('/sts/assume-role').set('X-Forwarded-For', '198.51.100.7').expect(429);
    await request(app).post('/sts/assume-role').set('X-Forwarded-For', '198.51.100.8').expect(200);
  });

  it('ignores X-Forwarded-For from an untrusted peer, so spoofed addresses get no fresh budget', async () => {
    const app = appWith(memoryLimits());
    for (let i = 0; i < BUDGET.points; i++)
      await request(app).post('/sts/assume-role').set('X-Forwarded-For', `203.0.113.${i}`).expect(200);
    await request(app).post('/sts/assume-role').set('X-Forwarded-For', '203.0.113.99').expect(429);
  });

  it('gives one budget to a whole IPv6 /64, so rotating the interface id does not reset it', async () => {
    const app = appWith(memoryLimits(), ['127.0.0.1/32', '::1/128']);
    for (let i = 0; i < BUDGET.points; i++)
      await request(app)
        .post('/sts/assume-role')
        .set('X-Forwarded-For', `2001:db8:1:2::${i + 1}`)
        .expect(200);
    await request(app).post('/sts/assume-role').set('X-Forwarded-For', '2001:db8:1:2:ffff::9').expect(429);
    await request(app).post('/sts/assume-role').set('X-Forwarded-For', '2001:db8:1:3::1').expect(200);
  });

  it('refuses a budget that is not a positive integer number of points', () => {
    expect(() =>
      createRateLimits(
        { login: { points: 0, duration: 60 }, sts: BUDGET, token: BUDGET },
        { kind: 'memory' },
      ),
    ).toThrow(TypeError);
  });
});
