/**
 * The drain of a listener (src/http/http-server.ts), step by step with a real node:http client on keep-alive
 * connections: a response in flight when the drain starts, one whose head was already sent, and an idle connection.
 * The drain-under-keep-alive-load test covers the same under load, where which case happens is left to timing.
 */
import { Agent, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from '../../../src/http/http-server.js';

/** A grace limit no test reaches: a connection the drain fails to close keeps `close()` waiting, and the test times out. */
const GRACE_MS = 60_000;

interface Held {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

type Answer = { status: number; connection: string | undefined; body: string; socketClosed: Promise<void> };

/**
 * A listener that holds every request until the test answers it, and a client that keeps one connection to it
 * (closed after the test): `get` sends a request on that connection, `next` waits for the held one, `answered`
 * sends one, answers it with `body` and waits for the answer, which leaves the connection idle.
 */
async function keptConnection(): Promise<{
  server: RunningServer;
  get: (path: string) => Promise<Answer>;
  next: () => Promise<Held>;
  answered: (path: string, body: string) => Promise<Answer>;
}> {
  const waiting: ((held: Held) => void)[] = [];
  const arrived: Held[] = [];
  const server = await listen(
    (req, res) => {
      const take = waiting.shift();
      if (take === undefined) arrived.push({ req, res });
      else take({ req, res });
    },
    '127.0.0.1',
    0,
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  open.push({ server, agent });
  const next = () => {
    const held = arrived.shift();
    return held !== undefined ? Promise.resolve(held) : new Promise<Held>((resolve) => waiting.push(resolve));
  };
  const send = (path: string) => get(agent, `${server.url}${path}`);
  const answered = async (path: string, body: string) => {
    const answer = send(path);
    (await next()).res.end(body);
    return answer;
  };
  return { server, get: send, next, answered };
}

function get(agent: Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      const socketClosed = new Promise<void>((done) => res.socket.once('close', () => done()));
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body, socketClosed }),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

const open: { server: RunningServer; agent: Agent }[] = [];
afterEach(async () => {
  for (const { server, agent } of open.splice(0)) {
    agent.destroy();
    await server.close(0);
  }
});

describe('listener drain', () => {
  it('drain-in-flight-response-says-connection-close: a request being answered when the drain starts is answered, with Connection: close', async () => {
    const { server, get, next } = await keptConnection();

    const answer = get('/slow');
    const held = await next();
    const drained = server.close(GRACE_MS);
    held.res.end('done');

    const got = await answer;
    expect(got).toMatchObject({ status: 200, connection: 'close', body: 'done' });
    await got.socketClosed;
    await drained;
    await expect(get('/after')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('drain-closes-connection-after-streamed-response: a response whose head was sent before the drain is finished, then its connection is closed', async () => {
    const { server, get, next } = await keptConnection();

    const answer = get('/stream');
    const held = await next();
    held.res.writeHead(200, { 'content-type': 'text/plain' });
    held.res.write('part one, ');
    const drained = server.close(GRACE_MS);
    held.res.end('part two');

    const got = await answer;
    // Its head went out before the drain, so it could not say Connection: close; the drain closes it instead.
    expect(got).toMatchObject({ status: 200, body: 'part one, part two' });
    expect(got.connection).not.toBe('close');
    await got.socketClosed;
    await drained;
  });

  it('drain-closes-idle-keep-alive-connection: a keep-alive connection with nothing in flight is closed', async () => {
    const { server, answered } = await keptConnection();

    const got = await answered('/quick', 'ok');
    expect(got).toMatchObject({ status: 200, body: 'ok' });
    expect(got.connection).not.toBe('close');

    await server.close(GRACE_MS);
    await got.socketClosed;
  });

  it('drain-keeps-connection-busy-with-next-request: a request being answered on a kept connection when the drain starts, for longer than the linger, is answered with Connection: close', async () => {
    const { server, get, next, answered } = await keptConnection();

    await answered('/first', 'one');
    // The next request on the same connection, sent before the drain starts, answered only after it has.
    const second = get('/second');
    const held = await next();
    const drained = server.close(GRACE_MS);
    // Longer than the drain's idle linger: the busy connection must not be closed under its request.
    await new Promise((resolve) => setTimeout(resolve, 200));
    held.res.end('two');

    const got = await second;
    expect(got).toMatchObject({ status: 200, connection: 'close', body: 'two' });
    await drained;
  });

  it('drain-answers-request-arriving-during-drain: a request on an idle kept connection just after the drain starts is answered, with Connection: close, even when it takes longer than the linger', async () => {
    const { server, get, next, answered } = await keptConnection();

    await answered('/first', 'one');
    // The connection is idle: the drain schedules its close after the linger, and then this request arrives on it.
    const drained = server.close(GRACE_MS);
    const second = get('/second');
    const held = await next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    held.res.end('two');

    const got = await second;
    expect(got).toMatchObject({ status: 200, connection: 'close', body: 'two' });
    await drained;
  });
});
