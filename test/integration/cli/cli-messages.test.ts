import { createServer } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { runFedgate } from '../../../src/run-fedgate.js';
import { captureIo } from '../../support/cli-io.js';

const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('fedgate command line: messages a person reads', () => {
  it('--version prints the package version and exits 0', async () => {
    for (const flag of ['--version', '-v']) {
      const io = captureIo();
      expect(await runCli([flag], io)).toBe(0);
      expect(io.stdoutText()).toBe(`fedgate ${packageVersion}\n`);
    }
  });

  it.each([
    { argv: ['vaildate'], says: 'Unknown command: vaildate. Did you mean "validate"?' },
    { argv: ['serv'], says: 'Did you mean "serve"?' },
    { argv: ['polcy', 'simulate'], says: 'Did you mean "policy"?' },
    {
      argv: ['policy', 'simulte'],
      says: 'Unknown command: fedgate policy simulte. Did you mean "simulate"?',
    },
    { argv: ['sessions', 'revok'], says: 'Did you mean "revoke"?' },
    { argv: ['validate', '--confg', 'x.yaml'], says: 'unknown option --confg. Did you mean "--config"?' },
    { argv: ['validate', '--jsn'], says: 'unknown option --jsn. Did you mean "--json"?' },
    { argv: ['policy', 'validate', '--knd', 'identity', 'p.json'], says: 'Did you mean "--kind"?' },
    { argv: ['validate', '--config'], says: 'option --config needs a value' },
    { argv: ['validate', '--json=yes'], says: 'option --json takes no value' },
    { argv: ['validate', '--zzzzzzzzzz'], says: 'unknown option --zzzzzzzzzz.\n' },
  ])('$argv: exit 2 with "$says"', async ({ argv, says }) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.stderrText()).toContain(says);
    expect(io.stderrText()).toContain('Usage: fedgate');
  });

  it("an unknown option's message is ours, never Node's parser text, and never echoes an inline value", async () => {
    const io = captureIo();
    expect(await runCli(['validate', '--token=s3cr3t-value'], io)).toBe(2);
    expect(io.stderrText()).not.toContain('To specify a positional argument');
    expect(io.stderrText()).not.toContain('ERR_PARSE_ARGS');
    expect(io.stderrText()).not.toContain('s3cr3t-value');
  });

  it('keys rotate on the embedded store says that restarting is the rotation, not a sessions endpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-cli-'));
    const configPath = join(dir, 'gateway.yaml');
    await writeFile(configPath, 'publicUrl: http://127.0.0.1:9\nstore: { kind: memory }\n');
    const io = captureIo();
    expect(await runCli(['keys', 'rotate', '--config', configPath], io)).toBe(1);
    expect(io.stderrText()).toContain('embedded store');
    expect(io.stderrText()).toContain('restarting the gateway');
    expect(io.stderrText()).not.toContain('/sts/revoke');
  });

  it('serve on a port in use says so in one sentence, without a stack trace (exit 1)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const io = captureIo({ env: { FEDGATE_KEY_ENCRYPTION_KEY: 'k'.repeat(40) } });
      const code = await runFedgate(['serve', '--config', 'config/gateway.yaml', '--port', String(port)], io);
      expect(code).toBe(1);
      expect(io.stderrText()).toContain(
        `cannot listen on 127.0.0.1:${port}: another program is already using it`,
      );
      expect(io.stderrText()).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  describe('every error of a statement is reported, each at its line and column', () => {
    // One statement, three mistakes: each line below is where one of them is written.
    const POLICY = [
      '{',
      '  "Version": "2012-10-17",',
      '  "Statement": [',
      '    {',
      '      "Sid": "ThreeMistakes",',
      '      "Effect": "Permit",',
      '      "Action": "orders:GetOrder",',
      '      "Resource": "*",',
      '      "Colour": "blue",',
      '      "Condition": { "StringEqualz": { "aws:PrincipalTag/team": "payments" } }',
      '    },',
      '    { "Effect": "Allow", "Action": "orders:ListOrders", "Resource": "*", "Condtion": {} }',
      '  ]',
      '}',
      '',
    ].join('\n');
    const MISTAKES = [
      { at: '6:7', path: 'Statement[0].Effect', code: 'InvalidEffect' },
      { at: '9:7', path: 'Statement[0].Colour', code: 'UnknownElement' },
      { at: '10:22', path: 'Statement[0].Condition.StringEqualz', code: 'UnknownConditionOperator' },
      { at: '12:74', path: 'Statement[1].Condtion', code: 'UnknownElement' },
    ];

    async function writePolicy(): Promise<{ dir: string; policy: string }> {
      const dir = await mkdtemp(join(tmpdir(), 'fedgate-cli-'));
      const policy = join(dir, 'orders.json');
      await writeFile(policy, POLICY);
      return { dir, policy };
    }

    it.each(MISTAKES)(
      'fedgate policy validate: $path at line:column $at [$code]',
      async ({ at, path, code }) => {
        const { policy } = await writePolicy();
        const io = captureIo();
        expect(await runCli(['policy', 'validate', policy], io)).toBe(1);
        const line = io
          .stdoutText()
          .split('\n')
          .find((text) => text.includes(` ${path}: `));
        expect(line).toMatch(
          new RegExp(`^${policy}:${at}: error ${path.replace(/[.[\]]/g, '\\$&')}: .+ \\[${code}\\]$`),
        );
        expect(io.stdoutText()).toContain(`${policy}: ${MISTAKES.length} error(s)`);
      },
    );

    it.each(MISTAKES)(
      'fedgate validate, the policy referenced from the config: policies.Orders.$path at orders.json:$at',
      async ({ at, path, code }) => {
        const { dir } = await writePolicy();
        const configPath = join(dir, 'gateway.yaml');
        await writeFile(
          configPath,
          'publicUrl: http://127.0.0.1:9\npolicies:\n  Orders: { file: orders.json }\n',
        );
        const io = captureIo({ cwd: dir });
        expect(await runCli(['validate', '--config', configPath], io)).toBe(1);
        const output = io.stdoutText() + io.stderrText();
        expect(output).toContain(`orders.json:${at}: policies.Orders.${path}: `);
        expect(output).toContain(`[${code}]`);
        expect(output).toContain(`${MISTAKES.length} errors`);
      },
    );
  });
});
