import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo, DEFAULT_DEMO_PORTS, type DemoPorts, type RunningDemo } from '../../../demo/start-demo.js';
import { reserveLoopbackPort } from '../../support/gateway-fixture.js';
import { suiteLogger } from '../../support/suite-log-capture.js';

/** The click-through demo on free loopback ports, and how to stop it and remove its configuration copy. */
export interface DemoTestBed {
  readonly demo: RunningDemo;
  readonly ports: DemoPorts;
  close(): Promise<void>;
}

/**
 * Starts the demo (demo/start-demo.ts) with the shipped example configuration moved to free ports, so a test
 * never meets a running demo; no audit sink, and a login budget that many sign-ins in a few seconds fit in.
 */
export async function startDemoTestBed(): Promise<DemoTestBed> {
  const ports: DemoPorts = {
    gateway: await reserveLoopbackPort(),
    oidc: await reserveLoopbackPort(),
    saml: await reserveLoopbackPort(),
    orders: await reserveLoopbackPort(),
  };
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-demo-'));
  await cp(fileURLToPath(new URL('../../../config', import.meta.url)), dir, { recursive: true });
  let yaml = await readFile(join(dir, 'gateway.yaml'), 'utf8');
  for (const key of ['gateway', 'oidc', 'saml', 'orders'] as const) {
    const from = `127.0.0.1:${DEFAULT_DEMO_PORTS[key]}`;
    if (!yaml.includes(from)) throw new Error(`config/gateway.yaml no longer names ${from}`);
    yaml = yaml.replaceAll(from, `127.0.0.1:${ports[key]}`);
  }
  yaml = yaml.replace(/sinks: \[\{ kind: stdout \}\]/, 'sinks: []');
  // Twenty sign-ins from one address in a few seconds is more than the demo's per-minute login budget.
  if (!/^rateLimits:/m.test(yaml)) yaml += '\nrateLimits: { login: { points: 1000 } }\n';
  await writeFile(join(dir, 'gateway.yaml'), yaml);
  try {
    const demo = await startDemo({
      configPath: join(dir, 'gateway.yaml'),
      ports,
      env: {},
      logger: suiteLogger(),
    });
    return {
      demo,
      ports,
      close: async () => {
        await demo.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
