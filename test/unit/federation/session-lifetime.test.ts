import { describe, expect, it } from 'vitest';
import { sessionLifetimeSeconds, type LifetimeRequest } from '../../../src/federation/index.js';

const NOW = Date.UTC(2026, 0, 1);
const base: LifetimeRequest = {
  roleMaxSeconds: 4 * 3600,
  defaultSeconds: 3600,
  chained: false,
  chainedMaxSeconds: 3600,
  now: NOW,
};

const codeOf = (request: LifetimeRequest): string | undefined => {
  try {
    sessionLifetimeSeconds(request);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('role session lifetime (SPEC 6.2)', () => {
  it('accepts DurationSeconds from 900 to the role maximum', () => {
    expect(sessionLifetimeSeconds({ ...base, requestedSeconds: 900 })).toBe(900);
    expect(sessionLifetimeSeconds({ ...base, requestedSeconds: 4 * 3600 })).toBe(4 * 3600);
  });

  it('refuses 899, more than the role maximum, and fractions with ValidationError', () => {
    expect(codeOf({ ...base, requestedSeconds: 899 })).toBe('ValidationError');
    expect(codeOf({ ...base, requestedSeconds: 4 * 3600 + 1 })).toBe('ValidationError');
    expect(codeOf({ ...base, requestedSeconds: 1000.5 })).toBe('ValidationError');
  });

  it('defaults to sessions.defaultDuration, capped at the role maximum', () => {
    expect(sessionLifetimeSeconds(base)).toBe(3600);
    expect(sessionLifetimeSeconds({ ...base, defaultSeconds: 8 * 3600 })).toBe(4 * 3600);
  });

  it('caps a chained session at one hour and refuses a longer request', () => {
    expect(sessionLifetimeSeconds({ ...base, chained: true, defaultSeconds: 4 * 3600 })).toBe(3600);
    expect(codeOf({ ...base, chained: true, requestedSeconds: 3601 })).toBe('ValidationError');
    expect(sessionLifetimeSeconds({ ...base, chained: true, requestedSeconds: 3600 })).toBe(3600);
  });

  it('honours the IdP SessionDuration within the limits, never as an error', () => {
    expect(sessionLifetimeSeconds({ ...base, idpSessionSeconds: 7200 })).toBe(7200);
    expect(sessionLifetimeSeconds({ ...base, idpSessionSeconds: 43_200 })).toBe(4 * 3600);
    expect(sessionLifetimeSeconds({ ...base, idpSessionSeconds: 60 })).toBe(900);
    expect(sessionLifetimeSeconds({ ...base, idpSessionSeconds: 7200, requestedSeconds: 1800 })).toBe(1800);
  });

  it('never outlives notAfter (portal session, subject token)', () => {
    expect(sessionLifetimeSeconds({ ...base, notAfter: NOW + 600_000 })).toBe(600);
    expect(sessionLifetimeSeconds({ ...base, requestedSeconds: 900, notAfter: NOW + 7_200_000 })).toBe(900);
  });

  it('refuses with ExpiredToken when notAfter has passed', () => {
    expect(codeOf({ ...base, notAfter: NOW })).toBe('ExpiredToken');
  });
});
