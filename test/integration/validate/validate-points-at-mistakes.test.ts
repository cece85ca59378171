import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { runFedgate } from '../../../src/run-fedgate.js';
import { captureIo } from '../../support/cli-io.js';

/**
 * A newcomer breaks the example configuration in the ways people do, and is told where each mistake is:
 * the file (the configuration or the referenced file), the line and the column, and a likely fix.
 */
describe('fedgate validate points at each mistake', () => {
  let dir: string;
  let original: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedgate-broken-'));
    await cp('config', dir, { recursive: true });
    original = await readFile(join(dir, 'gateway.yaml'), 'utf8');
  });

  async function validateWith(edit: (text: string) => string): Promise<{ code: number; out: string }> {
    await writeFile(join(dir, 'broken.yaml'), edit(original));
    const io = captureIo({ cwd: dir });
    const code = await runCli(['validate', '--config', 'broken.yaml'], io);
    return { code, out: io.stdoutText() + io.stderrText() };
  }

  function lineOf(text: string, needle: string): number {
    return text.split('\n').findIndex((line) => line.includes(needle)) + 1;
  }

  it('a YAML syntax error: file:line:column, and the reason printed once', async () => {
    const line = lineOf(original, 'partition: fedgate');
    const run = await validateWith((text) => text.replace('partition: fedgate', 'partition: [fedgate'));
    expect(run.code).toBe(1);
    expect(run.out).toMatch(new RegExp(`^error broken\\.yaml:${line + 1}:1: invalid YAML: `, 'm'));
    expect(run.out.match(/line \d+, column \d+/g) ?? []).toHaveLength(0);
    expect(run.out.match(/Flow sequence/g)).toHaveLength(1);
  });

  it('a misspelt key: its line and column, and the key meant', async () => {
    const line = lineOf(original, 'signing:');
    const run = await validateWith((text) => text.replace(/^signing:/m, 'signnig:'));
    expect(run.code).toBe(1);
    expect(run.out).toContain(`error broken.yaml:${line}:1: signnig: unknown key. Did you mean "signing"?`);
  });

  it("a misspelt key inside a list item is matched against that item's keys", async () => {
    const run = await validateWith((text) =>
      text.replace('    displayName: Demo OIDC IdP', '    displayNme: Demo OIDC IdP'),
    );
    expect(run.code).toBe(1);
    expect(run.out).toContain('identityProviders[0].displayNme: unknown key. Did you mean "displayName"?');
  });

  it('a misspelt policy name: where it is attached, and the policy meant', async () => {
    const line = lineOf(original, 'policies: [OrdersReadOnly, OrdersTeamWrite]');
    const run = await validateWith((text) =>
      text.replace(
        'policies: [OrdersReadOnly, OrdersTeamWrite]',
        'policies: [OrdersReadOnl, OrdersTeamWrite]',
      ),
    );
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      new RegExp(
        `broken\\.yaml:${line}:\\d+: roles\\[0\\]\\.policies\\[0\\]: policy "OrdersReadOnl" is not defined in policies\\. Did you mean "OrdersReadOnly"\\?`,
      ),
    );
  });

  it('a misspelt referenced file: the reference, and the file meant', async () => {
    const run = await validateWith((text) => text.replace('trust/developer.json', 'trust/developr.json'));
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /broken\.yaml:\d+:\d+: roles\[0\]\.trustPolicy: cannot read file trust\/developr\.json \(ENOENT\)\. Did you mean "trust\/developer\.json"\?/,
    );
  });

  it('a JSON syntax error inside a referenced policy file names that file, line and column', async () => {
    await writeFile(
      join(dir, 'policies', 'typo.json'),
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect" "Allow" }\n  ]\n}\n',
    );
    const run = await validateWith((text) =>
      text.replace('policies/orders-read-only.json', 'policies/typo.json'),
    );
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /^error policies\/typo\.json:4:\d+: policies\.OrdersReadOnly: file policies\/typo\.json is not valid JSON/m,
    );
  });

  it('a policy problem inside a referenced file names that file, and its line and column there', async () => {
    await writeFile(
      join(dir, 'policies', 'bogus.json'),
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*:*', Resource: '*', Bogus: 1 }],
      }),
    );
    const run = await validateWith((text) =>
      text.replace('policies/orders-read-only.json', 'policies/bogus.json'),
    );
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /^error policies\/bogus\.json:1:86: policies\.OrdersReadOnly\.Statement\[0\]\.Bogus: unknown statement element/m,
    );
  });

  it('serve prints the same places before refusing to start', async () => {
    await writeFile(join(dir, 'broken.yaml'), original.replace(/^signing:/m, 'signnig:'));
    const io = captureIo({ cwd: dir, env: { FEDGATE_KEY_ENCRYPTION_KEY: 'k'.repeat(40) } });
    expect(await runFedgate(['serve', '--config', join(dir, 'broken.yaml')], io)).toBe(1);
    expect(io.stderrText()).toMatch(/broken\.yaml:\d+:1: signnig: unknown key\. Did you mean "signing"\?/);
  });
});
