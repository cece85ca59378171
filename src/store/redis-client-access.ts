import { openRedisConnection, type RedisClient, type RedisStoreOptions } from './redis-connection.js';

export type { RedisClient } from './redis-connection.js';

/**
 * A dedicated ioredis connection, configured like the store's own (fail fast, no offline queue, capped
 * reconnection), for components that need raw commands the Store interface does not offer: the rate
 * limiters and the audit stream. Connection errors are swallowed here: the owner sees failed commands.
 */
export function openDedicatedRedisClient(options: RedisStoreOptions): RedisClient {
  const client = openRedisConnection(options);
  // Without a listener ioredis reports every failed reconnection as an unhandled 'error' event.
  client.on('error', () => {});
  return client;
}

/** Closes a dedicated connection: QUIT when it can still be sent, otherwise a plain disconnect. */
export async function closeDedicatedRedisClient(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
