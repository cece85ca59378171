import { rename, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  watchConfig,
  type ConfigError,
  type ConfigWatch,
  type GatewayConfig,
} from '../../../src/config/index.js';
import { createConfigDir, MINIMAL_CONFIG, type ConfigDir } from '../../fixtures/config/config-dir.js';

/** Collects watcher callbacks and lets a test wait for the next one. */
function recorder() {
  const events: ({ kind: 'change'; config: GatewayConfig } | { kind: 'error'; error: ConfigError })[] = [];
  let waiters: (() => void)[] = [];
  const push = (event: (typeof events)[number]): void => {
    events.push(event);
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  };
  return {
    events,
    onChange: (config: GatewayConfig) => push({ kind: 'change', config }),
    onError: (error: ConfigError) => push({ kind: 'error', error }),
    /** Resolves once `count` events have been recorded. */
    async until(count: number): Promise<void> {
      while (events.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
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
    watch = watchConfig(dir.path('gateway.yaml'), { env: {}, debounceMs: 20, ...events });
    await watch.ready;

    await writeFile(dir.path('gateway.yaml'), withPort(8002));
    await events.until(1);
    expect(events.events[0]).toMatchObject({ kind: 'change', config: { listen: { port: 8002 } } });

    await writeFile(dir.path('gateway.yaml'), `${withPort(8003)}bogusKey: 1\n`);
    await events.until(2);
    const rejected = events.events[1];
    expect(rejected?.kind).toBe('error');
    expect(rejected?.kind === 'error' && rejected.error.issues).toContainEqual({
      path: 'bogusKey',
      message: 'unknown key',
    });

    // The rejected file left the last good config in force; the next valid change is applied.
    await writeFile(dir.path('gateway.yaml'), withPort(8004));
    await events.until(3);
    expect(events.events[2]).toMatchObject({ kind: 'change', config: { listen: { port: 8004 } } });
  });

  it('follows an editor that saves by renaming a new file over the old one', async () => {
    dir = await createConfigDir({ 'gateway.yaml': withPort(8001) });
    const events = recorder();
    watch = watchConfig(dir.path('gateway.yaml'), { env: {}, debounceMs: 20, ...events });
    await watch.ready;

    for (const port of [8101, 8102]) {
      await writeFile(dir.path('gateway.yaml.swp'), withPort(port));
      await rename(dir.path('gateway.yaml.swp'), dir.path('gateway.yaml'));
      await events.until(port - 8100);
      expect(events.events[port - 8101]).toMatchObject({ kind: 'change', config: { listen: { port } } });
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
    watch = watchConfig(dir.path('gateway.yaml'), { env: {}, debounceMs: 20, ...events });
    await watch.ready;

    await writeFile(dir.path('policies/read.json'), policy('orders:ListOrders'));
    await events.until(1);
    expect(events.events[0]).toMatchObject({
      kind: 'change',
      config: { policies: { Read: { Statement: [{ Action: 'orders:ListOrders' }] } } },
    });

    await rm(dir.path('policies/read.json'));
    await events.until(2);
    expect(events.events[1]?.kind === 'error' && events.events[1].error.issues[0]?.path).toBe(
      'policies.Read',
    );
  });
});
