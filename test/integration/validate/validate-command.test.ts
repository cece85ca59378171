import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { validateCommand } from '../../../src/cli/validate-command.js';
import { createConfigDir, MINIMAL_CONFIG, type ConfigDir } from '../../fixtures/config/config-dir.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const THREE_MISTAKES = fileURLToPath(new URL('../../fixtures/config/three-mistakes.yaml', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function validate(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env, cwd };
  const code = await validateCommand(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

let dirs: ConfigDir[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => dir.remove()));
  dirs = [];
});

describe('fedgate validate', () => {
  it('accepts the example configuration with zero errors (exit 0), by default from config/gateway.yaml', async () => {
    const run = await validate([]);
    expect(run.stdout).toMatch(/config\/gateway\.yaml: valid; 0 errors/);
    expect(run.stdout).not.toMatch(/^error /m);
    expect(run.code).toBe(0);
  });

  it('the shipped example configuration has no security warning: it shows the practice it teaches', async () => {
    const run = await validate([]);
    expect(run.stdout).toMatch(/valid; 0 errors, 0 security warnings/);
    expect(run.stdout).not.toMatch(/^security-warning /m);
  });

  it('lists an unknown key, a bad duration and an undefined policy reference with their paths (exit 1)', async () => {
    const run = await validate(['--config', THREE_MISTAKES]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^error \S+three-mistakes\.yaml:\d+:\d+: listen\.tls: unknown key/m);
    expect(run.stdout).toMatch(/^error \S+:\d+:\d+: sessions\.defaultDuration: .*duration/m);
    expect(run.stdout).toMatch(
      /^error \S+:\d+:\d+: roles\[0\]\.policies\[1\]: policy "OrdersReadWrite" is not defined/m,
    );
    expect(run.stdout).toMatch(/invalid; 3 errors/);
  });

  it('prints machine-readable findings with --json', async () => {
    const run = await validate(['--config', THREE_MISTAKES, '--json']);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as {
      valid: boolean;
      findings: { path: string; severity: string }[];
    };
    expect(result.valid).toBe(false);
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => f.path)).toEqual(
      expect.arrayContaining(['listen.tls', 'sessions.defaultDuration', 'roles[0].policies[1]']),
    );
  });

  it('fails with the policy path when a policy is malformed (exit 1)', async () => {
    const dir = await createConfigDir({
      'gateway.yaml': `${MINIMAL_CONFIG}guardrails:\n  - { Version: "2012-10-17", Statement: [{ Effect: Allow, Resource: "*" }] }\n`,
    });
    dirs.push(dir);
    const run = await validate(['--config', 'gateway.yaml'], {}, dir.dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^error \S+:\d+:\d+: guardrails\[0\]\.Statement\[0\]/m);
  });

  it('refuses a policy file with two "Effect" keys, which JSON.parse read as the last one (issue 13, exit 1)', async () => {
    const dir = await createConfigDir({
      'gateway.yaml': `${MINIMAL_CONFIG}guardrails:\n  - { file: guard.json }\n`,
      'guard.json':
        '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"orders:*","Resource":"*","Effect":"Allow"}]}',
    });
    dirs.push(dir);
    const run = await validate(['--config', 'gateway.yaml'], {}, dir.dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^error \S*guard\.json:1:\d+: .*duplicate key "Effect"/m);
    expect(run.stdout).toMatch(/invalid; 1 error/);
  });

  it('reads the config path from $FEDGATE_CONFIG', async () => {
    const run = await validate([], { FEDGATE_CONFIG: THREE_MISTAKES });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('three-mistakes.yaml: invalid');
  });

  it('reports a missing file as an error (exit 1)', async () => {
    const run = await validate(['--config', 'no/such/file.yaml']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/cannot read config file .*ENOENT/);
  });

  it('prints --help (exit 0) and refuses an unknown option (exit 2)', async () => {
    const help = await validate(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: fedgate validate');
    const usage = await validate(['--colour']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: fedgate validate');
    expect((await validate(['extra'])).code).toBe(2);
  });
});
