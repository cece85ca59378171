/**
 * Listener prototypes (src/http/express-prototypes.ts): a listener whose requests an Express app handles builds
 * them on the app's own prototypes, so Express changes no request's prototype, and every request still behaves
 * as its own app's (its settings, its methods). Real listeners, real Express apps, a real client.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { listenerPrototypes } from '../../../src/http/express-prototypes.js';
import { listen, type RunningServer } from '../../../src/http/http-server.js';

const open: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

/** What the app saw of a request: its prototype on arrival, and what Express made of it. */
interface Seen {
  readonly builtOnAppPrototypes: boolean;
  readonly ip: string | undefined;
  readonly path: string;
  readonly ownApp: boolean;
}

/** An app answering what it saw, behind a listener built with listenerPrototypes (as `fedgate serve` runs). */
async function gateway(trustProxy: string | false): Promise<RunningServer> {
  const app: Express = express();
  app.set('trust proxy', trustProxy);
  const prototypes = listenerPrototypes();
  const arrived = new WeakMap<IncomingMessage, boolean>();
  app.get('/seen/:id', (req, res) => {
    const seen: Seen = {
      builtOnAppPrototypes: arrived.get(req) ?? false,
      ip: req.ip,
      path: req.path,
      ownApp: req.app === app && res.app === app,
    };
    res.json(seen);
  });
  const server = await listen(
    (req: IncomingMessage, res: ServerResponse) => {
      // Before Express touches them: already the app's prototypes, so its setPrototypeOf changes nothing.
      arrived.set(
        req,
        Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response,
      );
      app(req, res);
    },
    '127.0.0.1',
    0,
    prototypes,
  );
  prototypes.adopt(app);
  open.push(server);
  return server;
}

async function seen(server: RunningServer, headers: Record<string, string> = {}): Promise<Seen> {
  const response = await fetch(`${server.url}/seen/42?x=1`, { headers });
  expect(response.status).toBe(200);
  return (await response.json()) as Seen;
}

describe('a listener built on its Express app’s prototypes', () => {
  it('hands Express requests and responses already on the app’s prototypes, which Express then serves as usual', async () => {
    const server = await gateway(false);
    expect(await seen(server)).toEqual({
      builtOnAppPrototypes: true,
      ip: '127.0.0.1',
      path: '/seen/42',
      ownApp: true,
    });
    // Keep-alive: the second request on the same connection is built the same way.
    expect((await seen(server)).builtOnAppPrototypes).toBe(true);
  });

  it('keeps two gateways in one process apart: each request reads its own app’s trust proxy setting', async () => {
    const behindProxy = await gateway('loopback');
    const direct = await gateway(false);
    const forwarded = { 'X-Forwarded-For': '203.0.113.7' };
    expect(await seen(behindProxy, forwarded)).toMatchObject({ ip: '203.0.113.7', ownApp: true });
    expect(await seen(direct, forwarded)).toMatchObject({ ip: '127.0.0.1', ownApp: true });
    // Adopting the second app did not move the first listener's requests over to it.
    expect(await seen(behindProxy, forwarded)).toMatchObject({ ip: '203.0.113.7', ownApp: true });
  });

  it('answers with plain node:http requests before an app is adopted (the starting handler)', async () => {
    const prototypes = listenerPrototypes();
    const server = await listen((_req, res) => res.end('starting'), '127.0.0.1', 0, prototypes);
    open.push(server);
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe('starting');
  });

  it('refuses a second app for the same listener', () => {
    const prototypes = listenerPrototypes();
    prototypes.adopt(express());
    expect(() => prototypes.adopt(express())).toThrow('a listener serves one Express app');
  });
});
