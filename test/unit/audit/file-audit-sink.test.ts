import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, createFileAuditSink, type AuditRecord } from '../../../src/audit/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedgate-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (n: number): AuditRecord => ({
  time: '2025-01-01T00:00:00.000Z',
  event: 'session.revoked',
  outcome: 'success',
  role: `role-${n}`,
});

async function lines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('file audit sink', () => {
  it('writes one JSON line per event, flagged audit, readable after flush', async () => {
    const path = join(dir, 'audit.log');
    const sink = createFileAuditSink(path);
    sink.write(record(1));
    sink.write(record(2));
    await sink.flush();
    expect(await lines(path)).toEqual([
      { audit: true, ...record(1) },
      { audit: true, ...record(2) },
    ]);
    await sink.close();
  });

  it('appends to an existing file instead of truncating it', async () => {
    const path = join(dir, 'audit.log');
    await writeFile(path, `${JSON.stringify({ earlier: true })}\n`);
    const sink = createFileAuditSink(path);
    sink.write(record(3));
    await sink.close();
    expect(await lines(path)).toEqual([{ earlier: true }, { audit: true, ...record(3) }]);
  });

  it('creates the file readable by its owner only', async () => {
    const path = join(dir, 'private.log');
    const sink = createFileAuditSink(path);
    sink.write(record(1));
    await sink.close();
    expect((await stat(path)).mode & 0o077).toBe(0);
  });

  it('writes everything recorded before close, and counts events written after it as dropped', async () => {
    const path = join(dir, 'audit.log');
    const sink = createFileAuditSink(path);
    const log = new AuditLog([sink]);
    for (let i = 0; i < 200; i++)
      log.record({ event: 'authz.denied', outcome: 'denied', reason: 'ImplicitDeny' });
    await log.close();
    sink.write(record(9));
    expect(await lines(path)).toHaveLength(200);
    expect(sink.dropped).toBe(1);
  });

  it('reports an unwritable path once, never throws into the caller, and counts the lost events', async () => {
    const errors: Error[] = [];
    const sink = createFileAuditSink(join(dir, 'missing-dir', 'audit.log'), {
      onError: (error) => errors.push(error),
    });
    const log = new AuditLog([sink]);
    log.record({ event: 'login.failed', outcome: 'failure', reason: 'InvalidSamlResponse' });
    await sink.flush();
    expect(() =>
      log.record({ event: 'login.failed', outcome: 'failure', reason: 'InvalidSamlResponse' }),
    ).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(sink.dropped).toBeGreaterThanOrEqual(1);
    await sink.close();
  });

  it('drops instead of buffering without bound while the disk lags', async () => {
    const path = join(dir, 'audit.log');
    const sink = createFileAuditSink(path, { maxBufferedBytes: 1024 });
    // Written synchronously: nothing reaches the disk between these calls, so the buffer only grows.
    for (let i = 0; i < 1000; i++) sink.write(record(i));
    expect(sink.dropped).toBeGreaterThan(900);
    await sink.close();
    expect((await lines(path)).length).toBe(1000 - sink.dropped);
  });
});
