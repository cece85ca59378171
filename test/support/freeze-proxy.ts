import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** One proxied connection. */
export interface ProxiedConnection {
  /** The client sent a SUBSCRIBE on it (a Redis subscriber connection). */
  readonly subscriber: boolean;
  readonly frozen: boolean;
}

/** A TCP proxy a test controls: it can freeze connections, which then carry nothing but stay open. */
export interface FreezeProxy {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly connections: readonly ProxiedConnection[];
  /** Freezes every current connection `which` selects (new connections flow normally); returns how many. */
  freeze(which: (connection: ProxiedConnection) => boolean): number;
  close(): Promise<void>;
}

interface Link extends ProxiedConnection {
  subscriber: boolean;
  frozen: boolean;
  readonly client: Socket;
  readonly upstream: Socket;
}

/**
 * A loopback TCP proxy to `port`, for fault tests (issue 20): a frozen connection models a partition or a
 * NAT that silently drops an idle connection: no byte passes either way, and neither side sees a close.
 */
export async function startFreezeProxy(port: number): Promise<FreezeProxy> {
  const links: Link[] = [];
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port });
    const link: Link = { subscriber: false, frozen: false, client, upstream };
    links.push(link);
    client.on('data', (chunk: Buffer) => {
      if (link.frozen) return;
      if (/subscribe/i.test(chunk.toString('latin1'))) link.subscriber = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!link.frozen) client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const listenPort = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${listenPort}`,
    get connections() {
      return links.filter((link) => !link.client.destroyed);
    },
    freeze(which) {
      let count = 0;
      for (const link of links)
        if (!link.client.destroyed && !link.frozen && which(link)) {
          link.frozen = true;
          count++;
        }
      return count;
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
