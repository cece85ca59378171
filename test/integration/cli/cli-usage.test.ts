import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';
import { captureIo } from '../../support/cli-io.js';

describe('fedgate command line: usage', () => {
  it('--help lists every command and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const command of [
      'serve',
      'validate',
      'policy simulate',
      'policy validate',
      'keys rotate',
      'sessions revoke',
    ]) {
      expect(io.stdoutText()).toContain(command);
    }
  });

  it('no command is a usage error (exit 2)', async () => {
    const io = captureIo();
    expect(await runCli([], io)).toBe(2);
    expect(io.stderrText()).toContain('Usage: fedgate');
  });

  it('an unknown command is a usage error naming it', async () => {
    const io = captureIo();
    expect(await runCli(['deploy'], io)).toBe(2);
    expect(io.stderrText()).toContain('Unknown command: deploy');
  });

  it('a command group without its sub-command is a usage error', async () => {
    for (const group of ['policy', 'keys', 'sessions']) {
      const io = captureIo();
      expect(await runCli([group], io)).toBe(2);
      expect(io.stderrText()).toContain(`fedgate ${group}`);
    }
  });

  it('every command prints --help and exits 0', async () => {
    for (const argv of [
      ['serve', '--help'],
      ['validate', '--help'],
      ['policy', 'simulate', '--help'],
      ['policy', 'validate', '--help'],
      ['keys', 'rotate', '--help'],
      ['sessions', 'revoke', '--help'],
    ]) {
      const io = captureIo();
      expect(await runCli(argv, io)).toBe(0);
      expect(io.stdoutText()).toMatch(/Usage: fedgate/);
    }
  });

  it('an unknown option is a usage error (exit 2)', async () => {
    const io = captureIo();
    expect(await runCli(['validate', '--frobnicate'], io)).toBe(2);
  });

  it('sessions revoke needs exactly one target', async () => {
    const io = captureIo();
    expect(await runCli(['sessions', 'revoke', '--session', 'a', '--role', 'b'], io)).toBe(2);
    expect(io.stderrText()).toContain('exactly one of --session, --role or --subject');
  });

  it('keys rotate and sessions revoke refuse the embedded store, saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-cli-'));
    const configPath = join(dir, 'gateway.yaml');
    await writeFile(configPath, 'publicUrl: http://127.0.0.1:9\nstore: { kind: memory }\n');
    for (const argv of [
      ['keys', 'rotate', '--config', configPath],
      ['sessions', 'revoke', '--session', 'x', '--config', configPath],
    ]) {
      const io = captureIo();
      expect(await runCli(argv, io)).toBe(1);
      expect(io.stderrText()).toContain('embedded store');
    }
  });
});

describe('fedgate policy validate', () => {
  async function policyFile(content: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-policy-'));
    const path = join(dir, 'policy.json');
    await writeFile(path, content);
    return path;
  }

  it('a valid identity policy: exit 0', async () => {
    const path = await policyFile(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'orders:GetOrder', Resource: 'arn:fedgate:orders:::order/*' }],
      }),
    );
    const io = captureIo();
    expect(await runCli(['policy', 'validate', path], io)).toBe(0);
    expect(io.stdoutText()).toContain('0 error(s)');
  });

  it('an unknown condition operator is an error with its path: exit 1', async () => {
    const path = await policyFile(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'orders:GetOrder',
            Resource: '*',
            Condition: { StringEqualsFoo: { 'aws:PrincipalTag/team': 'payments' } },
          },
        ],
      }),
    );
    const io = captureIo();
    expect(await runCli(['policy', 'validate', path], io)).toBe(1);
    expect(io.stdoutText()).toContain('Statement[0].Condition');
  });

  it('duplicate JSON keys are an error, not silently last-wins', async () => {
    const path = await policyFile(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"a:b","Resource":"*"}]}',
    );
    const io = captureIo();
    expect(await runCli(['policy', 'validate', '--json', path], io)).toBe(1);
    const line = JSON.parse(io.stdoutText().trim()) as { findings: { severity: string }[] };
    expect(line.findings.some((finding) => finding.severity === 'error')).toBe(true);
  });

  it('a trust policy trusting everyone is reported as a security warning', async () => {
    const path = await policyFile(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }],
      }),
    );
    const io = captureIo();
    await runCli(['policy', 'validate', '--kind', 'trust', '--json', path], io);
    const line = JSON.parse(io.stdoutText().trim()) as { findings: { severity: string }[] };
    expect(line.findings.some((finding) => finding.severity === 'security-warning')).toBe(true);
  });

  it('an unreadable file is an error: exit 1', async () => {
    const io = captureIo();
    expect(await runCli(['policy', 'validate', '/nonexistent/policy.json'], io)).toBe(1);
    expect(io.stdoutText()).toContain('cannot read the file');
  });
});
