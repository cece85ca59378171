import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** A running demo server on loopback. */
export interface DemoServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts one of the demo's own servers on `127.0.0.1:port`; a handler that throws answers `failureStatus` with
 * the message, prefixed by `label`.
 */
export async function startDemoServer(
  port: number,
  label: string,
  failureStatus: number,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<DemoServer> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(failureStatus, { 'content-type': 'text/plain' });
      res.end(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        // Browsers keep connections open; a stop must not wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
