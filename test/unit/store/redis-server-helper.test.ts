import { createConnection } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

function ping(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString('utf8').trim());
    });
  });
}

describe('private redis-server test helper', () => {
  const handles: RedisServerHandle[] = [];
  afterAll(async () => {
    await Promise.all(handles.map((handle) => handle.stop()));
  });

  it('starts servers on distinct loopback ports, never the system 6379, that answer PING', async () => {
    const [a, b] = await Promise.all([startRedisServer(), startRedisServer()]);
    handles.push(a, b);
    expect(a.port).not.toBe(b.port);
    expect([a.port, b.port]).not.toContain(6379);
    expect(a.url).toBe(`redis://127.0.0.1:${a.port}`);
    expect(await ping(a.port)).toBe('+PONG');
    expect(await ping(b.port)).toBe('+PONG');
  });

  it('kill drops the server and restart brings it back on the same port', async () => {
    const server = await startRedisServer();
    handles.push(server);
    await server.kill();
    expect(await ping(server.port)).toBe('ECONNREFUSED');
    await server.restart();
    expect(await ping(server.port)).toBe('+PONG');
    await server.stop();
    expect(await ping(server.port)).toBe('ECONNREFUSED');
    await server.restart();
    expect(await ping(server.port)).toBe('+PONG');
  });
});

describe('private redis-server test helper without the binary', () => {
  it('fails with an error naming the missing binary instead of hanging', async () => {
    await expect(startRedisServer({ binary: '/nonexistent/redis-server' })).rejects.toThrow(
      /redis-server binary not found/,
    );
  });
});
