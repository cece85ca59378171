import { rename, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  watchConfig,
  type ConfigError,
  type ConfigWatch,
  type GatewayConfig,
} from '../../../src/config/index.js';
import { createConfigDir, MINIMAL_CONFIG, type ConfigDir } from '../../fixtures/config/config-dir.js';

type WatchEvent = { kind: 'change'; config: GatewayConfig } | { kind: 'error'; error: ConfigError };

/**
 * Collects watcher callbacks and lets a test wait for the next event of a kind. Waiting for a kind (not
 * for "the next event") keeps the test honest if a write reaches the watcher in two steps.
 */
function recorder() {
  const events: WatchEvent[] = [];
  let cursor = 0;
  let wake: (() => void) | undefined;
  const push = (event: WatchEvent): void => {
    events.push(event);
    wake?.();
  };
  return {
    events,
    onChange: (config: GatewayConfig) => push({ kind: 'change', config }),
    onError: (error: ConfigError) => push({ kind: 'error', error }),
    async next<K extends WatchEvent['kind']>(kind: K): Promise<Extract<WatchEvent, { kind: K }>> {
      for (;;) {
        while (cursor < events.length) {
          const event = events[cursor++] as WatchEvent;
          if (event.kind === kind) return event as Extract<WatchEvent, { kind: K }>;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

let dir: ConfigDir | undefined;
let watch: ConfigWatch | undefined;
afterEach(async () => {
  watch?.close();
  await dir?.remove();
  watch = undefined;
  dir = undefined;
});

const withPort = (port: number): string => `${MINIMAL_CONFIG}listen: { port: ${port} }\n`;

describe('watchConfig', () => {
  it('applies a valid change and keeps the last good config on an invalid one', async () => {
    dir = await createConfigDir({ 'gateway.yaml': withPort(8001) });
    const events = recorder();
    watch = watchConfig(dir.path('gateway.yaml'), { env: {}, debounceMs: 50, ...events });
    await watch.ready;

    await writeFile(dir.path('gateway.yaml'), withPort(8002));
    expect((await events.next('change')).config.listen.port).toBe(8002);

    await writeFile(dir.path('gateway.yaml'), `${withPort(8003)}bogusKey: 1\n`);
    const rejected = await events.next('error');
    expect(rejected.error.issues).toContainEqual(
      expect.objectContaining({ path: 'bogusKey', message: 'unknown key' }),
    );

    // The rejected file left the last good config in force; the next valid change is applied.
    await writeFile(dir.path('gateway.yaml'), withPort(8004));
    expect((await events.next('change')).config.listen.port).toBe(8004);
    const applied = events.events.flatMap((event) =>
      event.kind === 'change' ? [event.config.listen.port] : [],
    );
    expect(applied).toEqual([8002, 8004]);
  });

  it('follows an editor that saves by renaming a new file over the old one', async () => {
    dir = await createConfigDir({ 'gateway.yaml': withPort(8001) });
    const events = recorder();
    watch = watchConfig(dir.path('gateway.yaml'), { env: {}, debounceMs: 50, ...events });
    await watch.ready;

    for (const port of [8101, 8102]) {
      await writeFile(dir.path('gateway.yaml.swp'), withPort(port));
      await rename(dir.path('gateway.yaml.swp'), dir.path('gateway.yaml'));
      expect((await events.next('change')).config.listen.port).toBe(port);
    }
  });

  it('reloads when a referenced file changes', async () => {
    const policy = (action: string): string =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
      });
    dir = await createConfigDir({
      'gateway.yaml': `${MINIMAL_CONFIG}policies:\n  Read: { file: policies/read.json }\n`,
      'policies/read.json': policy('orders:GetOrder'),
    });
    const events = recorder();
    watch = watchConfig(dir.path('gateway.yaml'), { env: {}, debounceMs: 50, ...events });
    await watch.ready;

    await writeFile(dir.path('policies/read.json'), policy('orders:ListOrders'));
    expect((await events.next('change')).config.policies.Read).toMatchObject({
      Statement: [{ Action: 'orders:ListOrders' }],
    });

    await rm(dir.path('policies/read.json'));
    expect((await events.next('error')).error.issues[0]?.path).toBe('policies.Read');
  });
});
