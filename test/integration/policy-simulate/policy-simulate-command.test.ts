import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cli-io.js';
import { createPolicySimulateCommand } from '../../../src/cli/policy-simulate-command.js';
import type { RolePolicyDocuments } from '../../../src/policy/index.js';

const allowOrders = {
  Version: '2012-10-17',
  Statement: { Sid: 'Read', Effect: 'Allow', Action: 'orders:Get*', Resource: '*' },
};
const request = {
  identityPolicies: [allowOrders],
  principal: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice',
  action: 'orders:GetOrder',
  resource: 'arn:fedgate:orders:::order/42',
};

async function run(
  args: string[],
  stdin = '',
  loader?: (path: string) => Promise<(role: string) => RolePolicyDocuments | undefined>,
  cwd = process.cwd(),
) {
  const input = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  input.end(stdin);
  const loads: string[] = [];
  const io: CliIo = { stdin: input, stdout, stderr, env: {}, cwd };
  const command = createPolicySimulateCommand(async (path) => {
    loads.push(path);
    if (loader === undefined) throw new Error('no config expected');
    return loader(path);
  });
  const code = await command(args, io);
  return { code, out, err, loads };
}

describe('fedgate policy simulate (SPEC 7.6)', () => {
  it('decides one request from stdin and exits 0', async () => {
    const { code, out, loads } = await run([], JSON.stringify(request));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      decision: 'Allow',
      matchedStatements: [{ policy: 'identityPolicies[0]', sid: 'Read', effect: 'Allow' }],
      missingContextKeys: [],
    });
    expect(loads).toEqual([]);
  });

  it('exits 0 on a deny', async () => {
    const { code, out } = await run([], JSON.stringify({ ...request, action: 'orders:DeleteOrder' }));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ decision: 'ImplicitDeny' });
  });

  it('reads --request FILE relative to the working directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-sim-'));
    await writeFile(join(dir, 'req.json'), JSON.stringify(request));
    const { code, out } = await run(['--request', 'req.json'], '', undefined, dir);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ decision: 'Allow' });
  });

  it('an invalid policy in single mode prints the error and exits 1', async () => {
    const bad = {
      ...request,
      identityPolicies: [
        { Version: '2012-10-17', Statement: { Effect: 'Permit', Action: 'a:b', Resource: '*' } },
      ],
    };
    const { code, out } = await run([], JSON.stringify(bad));
    expect(code).toBe(1);
    expect(JSON.parse(out)).toEqual({
      error: {
        code: 'MalformedPolicyDocument',
        path: 'identityPolicies[0].Statement.Effect',
        message: expect.any(String),
      },
    });
  });

  it('invalid JSON in single mode exits 1 with a ValidationError', async () => {
    const { code, out } = await run([], '{"action": ');
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ error: { code: 'ValidationError' } });
  });

  it('a duplicate key inside a policy is a MalformedPolicyDocument with its path', async () => {
    const text = JSON.stringify(request).replace('"Effect":"Allow"', '"Effect":"Allow","Effect":"Deny"');
    const { out } = await run([], text);
    expect(JSON.parse(out)).toMatchObject({
      error: { code: 'MalformedPolicyDocument', path: 'identityPolicies[0].Statement.Effect' },
    });
  });

  it('--jsonl answers one line per request, in order, and a bad line does not stop the rest', async () => {
    const lines = [
      JSON.stringify(request),
      '{not json',
      JSON.stringify({ ...request, action: 'orders:DeleteOrder' }),
      '',
      JSON.stringify({ ...request, identityPolicies: [{ Statement: 'x' }] }),
    ];
    const { code, out } = await run(['--jsonl'], lines.join('\n') + '\n');
    expect(code).toBe(0);
    const results = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({ decision: 'Allow' });
    expect(results[1]).toMatchObject({ error: { code: 'ValidationError' } });
    expect(results[2]).toMatchObject({ decision: 'ImplicitDeny' });
    expect(results[3]).toMatchObject({
      error: { code: 'MalformedPolicyDocument', path: 'identityPolicies[0].Statement' },
    });
  });

  it('--jsonl answers 10,000 requests in one process', async () => {
    const line = JSON.stringify(request);
    const { out } = await run(['--jsonl'], Array.from({ length: 10_000 }, () => line).join('\n'));
    const results = out.trim().split('\n');
    expect(results).toHaveLength(10_000);
    expect(new Set(results).size).toBe(1);
  });

  it('--config resolves "role" through the loader, which is called once', async () => {
    const docs: RolePolicyDocuments = {
      identityPolicies: [{ name: 'policies.ReadOrders', document: allowOrders }],
      guardrails: [],
      principal: 'arn:fedgate:iam::000000000000:role/Developer',
    };
    const line = JSON.stringify({
      role: 'Developer',
      action: 'orders:GetOrder',
      resource: 'arn:fedgate:orders:::order/1',
    });
    const { code, out, loads } = await run(
      ['--config', 'cfg.yaml', '--jsonl'],
      `${line}\n${line}\n`,
      async () => (role) => (role === 'Developer' ? docs : undefined),
      '/srv',
    );
    expect(code).toBe(0);
    expect(loads).toEqual(['/srv/cfg.yaml']);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([
      {
        decision: 'Allow',
        matchedStatements: [{ policy: 'policies.ReadOrders', sid: 'Read', effect: 'Allow' }],
        missingContextKeys: [],
      },
      {
        decision: 'Allow',
        matchedStatements: [{ policy: 'policies.ReadOrders', sid: 'Read', effect: 'Allow' }],
        missingContextKeys: [],
      },
    ]);
  });

  it('a configuration that fails to load exits 1', async () => {
    const { code, err } = await run(['--config', 'missing.yaml'], JSON.stringify(request), async () => {
      throw new Error('no such file');
    });
    expect(code).toBe(1);
    expect(err).toContain('no such file');
  });

  it('--help prints usage and exits 0; unknown flags exit 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--jsonl');
    expect((await run(['--bogus'])).code).toBe(2);
    expect((await run(['extra'])).code).toBe(2);
  });
});
