import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

/** A private redis-server that keeps its data across a SIGKILL, as a production Redis with AOF does. */
export interface PersistentRedis extends RedisServerHandle {
  /** Stops the server and removes its data folder. */
  dispose(): Promise<void>;
}

/**
 * Starts the shared test redis-server through a wrapper that appends `appendonly yes` (fsync on every write)
 * and a private data folder: redis-server lets a later option override an earlier one, so the helper's
 * `--appendonly no` and shared `--dir` are replaced. A restart on the same port then reloads every key.
 */
export async function startPersistentRedis(): Promise<PersistentRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-faults-redis-'));
  const wrapper = join(dir, 'redis-server-aof.sh');
  const binary = process.env['REDIS_SERVER_BIN'] ?? 'redis-server';
  await writeFile(
    wrapper,
    `#!/bin/sh\nexec ${JSON.stringify(binary)} "$@" --dir ${JSON.stringify(dir)} --appendonly yes --appendfsync always\n`,
  );
  await chmod(wrapper, 0o755);
  const handle = await startRedisServer({ binary: wrapper });
  return {
    ...handle,
    url: handle.url,
    port: handle.port,
    async dispose() {
      await handle.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
