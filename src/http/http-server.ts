import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { ListenerPrototypes } from './express-prototypes.js';

/**
 * How long a connection that is idle when draining starts (or becomes idle during the drain without having
 * been told to close) is kept before it is closed: long enough for a busy keep-alive client's next request,
 * already on its way, to arrive and be answered with `Connection: close` instead of being cut off.
 */
export const DRAIN_IDLE_LINGER_MS = 50;

/** The default grace limit of a drain: in-flight requests that take longer are cut off. */
export const DEFAULT_DRAIN_GRACE_MS = 10_000;

/** A listening HTTP server that shuts down gracefully. */
export interface RunningServer {
  readonly server: Server;
  /** `http://host:port` of the bound address. */
  readonly url: string;
  readonly port: number;
  /**
   * Drains: stops accepting connections, answers every request still arriving or in flight with
   * `Connection: close`, closes idle keep-alive connections at once (after DRAIN_IDLE_LINGER_MS), and resolves
   * when every connection is closed, or after `graceMs` by cutting off whatever is left.
   */
  close(graceMs?: number): Promise<void>;
  /** True once close() has been called. */
  readonly draining: boolean;
}

/**
 * Starts a node:http server for a request listener on host:port (port 0 picks a free one). `prototypes`: the
 * classes its requests and responses are built from, when an Express app will handle them (listenerPrototypes).
 */
export async function listen(
  handler: RequestListener,
  host: string,
  port: number,
  prototypes?: Pick<ListenerPrototypes, 'IncomingMessage' | 'ServerResponse'>,
): Promise<RunningServer> {
  const server = createServer({
    requestTimeout: 30_000,
    headersTimeout: 15_000,
    maxHeaderSize: 16 * 1024,
    ...(prototypes === undefined
      ? {}
      : { IncomingMessage: prototypes.IncomingMessage, ServerResponse: prototypes.ServerResponse }),
  });
  server.keepAliveTimeout = 65_000;
  const drain = new Drain(server);
  // One listener, bookkeeping first: the handler may answer synchronously (the authorizer's cached fast path).
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    drain.track(req, res);
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    port: address.port,
    url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}`,
    close: (graceMs = DEFAULT_DRAIN_GRACE_MS) => drain.start(graceMs),
    get draining() {
      return drain.started;
    },
  };
}

/** Per-connection bookkeeping: the last response started on it (a connection's responses finish in order). */
interface Connection {
  last: ServerResponse | undefined;
}

/**
 * The drain of one server. Node's own `server.close()` leaves keep-alive connections open until they idle out,
 * and the ones busy when it is called keep taking requests; so every response from then on says
 * `Connection: close` (Node then ends the connection after it), and connections with nothing in flight are
 * closed once they have been idle for the linger.
 *
 * Until a drain starts, a request costs one field store: listening to every response's `close` event cost the
 * authorizer's hot path about a tenth of its throughput (bench/authorizer.ts, README). A connection is busy while
 * its last response has not finished; the listeners are attached when the drain starts, to the responses then in
 * flight and to every one after.
 */
class Drain {
  readonly #server: Server;
  readonly #connections = new Map<Socket, Connection>();
  #closing: Promise<void> | undefined;

  constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket: Socket) => {
      this.#connections.set(socket, { last: undefined });
      socket.once('close', () => this.#connections.delete(socket));
    });
  }

  /** Called for each request before its handler. */
  track(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    const connection = this.#connections.get(socket);
    if (connection !== undefined) connection.last = res;
    if (this.#closing === undefined) return;
    res.setHeader('Connection', 'close');
    res.once('close', () => this.#closeWhenIdle(socket));
  }

  get started(): boolean {
    return this.#closing !== undefined;
  }

  start(graceMs: number): Promise<void> {
    this.#closing ??= this.#run(graceMs);
    return this.#closing;
  }

  async #run(graceMs: number): Promise<void> {
    if (!this.#server.listening && this.#connections.size === 0) return;
    // net's close, not http's: http.Server#close also calls closeIdleConnections, which on Node 20 destroys
    // keep-alive connections whose next request is already being handled (the resets this drain exists to avoid).
    const closed = new Promise<void>((resolve) =>
      NetServer.prototype.close.call(this.#server, () => resolve()),
    );
    for (const [socket, { last }] of this.#connections) {
      if (last !== undefined && inFlight(last)) {
        if (!last.headersSent) last.setHeader('Connection', 'close');
        last.once('close', () => this.#closeWhenIdle(socket));
      } else this.#closeWhenIdle(socket);
    }
    const timer = setTimeout(() => this.#server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }

  /**
   * Closes the connection if it is still idle after the linger. The check runs in a setImmediate after the
   * timer: the poll phase in between parses any request that already arrived, so it is answered, not cut off.
   */
  #closeWhenIdle(socket: Socket): void {
    const idle = (): boolean => {
      const connection = this.#connections.get(socket);
      return connection !== undefined && (connection.last === undefined || !inFlight(connection.last));
    };
    if (!idle()) return;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (idle() && !socket.destroyed) socket.destroy();
      });
    }, DRAIN_IDLE_LINGER_MS);
    timer.unref();
  }
}

/** A response still being answered: not finished, and its connection not gone. */
function inFlight(res: ServerResponse): boolean {
  return !res.writableFinished && !res.destroyed;
}
