import { describe, expect, it } from 'vitest';
import { AuditLog, memoryAuditSink, type AuditEvent } from '../../../src/audit/index.js';

// Each `@ts-expect-error` below is the check: `npm run typecheck` fails if the catalogue stops refusing it.
const wrongShapes = (record: (event: AuditEvent) => void): void => {
  // @ts-expect-error login.succeeded carries the assumable roles, not a key id
  record({ event: 'login.succeeded', outcome: 'success', details: { kid: 'k1' } });
  // @ts-expect-error key.rotated needs its kid
  record({ event: 'key.rotated', outcome: 'success', details: { by: 'fedgate keys rotate' } });
  // @ts-expect-error config.reloaded carries no reason
  record({ event: 'config.reloaded', outcome: 'success', reason: 'InvalidConfiguration' });
  // @ts-expect-error an authz.denied reason comes from the authorizer's vocabulary only
  record({ event: 'authz.denied', outcome: 'denied', reason: 'explicit_deny' });
  // @ts-expect-error a token.refused reason comes from the OAuth catalogue
  record({ event: 'token.refused', outcome: 'denied', reason: 'Nope', details: {} });
  // @ts-expect-error role.assumed is a success
  record({ event: 'role.assumed', outcome: 'denied', details: ROLE_ASSUMED_DETAILS });
  // @ts-expect-error login.failed says why
  record({ event: 'login.failed', outcome: 'failure' });
};

const ROLE_ASSUMED_DETAILS = {
  action: 'sts:AssumeRoleWithSAML',
  roleArn: 'arn:fedgate:iam::000000000000:role/Developer',
  accessKeyId: 'FSIA0000000000000000',
  durationSeconds: 3600,
  sessionPolicy: false,
};

describe('the audit catalogue is typed by event name', () => {
  it('writes events of the right shape as they are given', () => {
    const sink = memoryAuditSink();
    const log = new AuditLog([sink], () => Date.UTC(2025, 0, 1));
    log.record({
      event: 'role.assumed',
      outcome: 'success',
      role: 'Developer',
      details: ROLE_ASSUMED_DETAILS,
    });
    log.record({ event: 'login.failed', outcome: 'failure', provider: 'corp', reason: 'weak-algorithm' });
    expect(sink.records).toEqual([
      {
        event: 'role.assumed',
        outcome: 'success',
        role: 'Developer',
        details: ROLE_ASSUMED_DETAILS,
        time: '2025-01-01T00:00:00.000Z',
      },
      {
        event: 'login.failed',
        outcome: 'failure',
        provider: 'corp',
        reason: 'weak-algorithm',
        time: '2025-01-01T00:00:00.000Z',
      },
    ]);
    expect(typeof wrongShapes).toBe('function');
  });
});
