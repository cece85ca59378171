import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';
import { captureDir } from '../../support/suite-log-capture.js';

let fixture: GatewayFixture;
beforeAll(async () => {
  fixture = await startGatewayFixture({ config: {} });
});
afterAll(async () => {
  await fixture.close();
});

describe('the suite-wide log capture the secrets scan reads', () => {
  it("a test gateway's request log lines reach the capture folder", async () => {
    await fetch(`${fixture.url}/healthz`);
    const mine = readdirSync(captureDir()).filter((name) => name.startsWith(`${process.pid}-log`));
    const text = mine.map((name) => readFileSync(join(captureDir(), name), 'utf8')).join('');
    expect(text).toContain('"path":"/healthz"');
  });
});
