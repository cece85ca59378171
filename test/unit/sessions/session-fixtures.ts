import type { Store } from '../../../src/store/index.js';
import {
  SessionService,
  SigningKeyRing,
  type RoleSessionInput,
  type SigningAlgorithm,
} from '../../../src/sessions/index.js';

/** 2026-01-01T00:00:00Z, a round second so epoch-second arithmetic in tests is exact. */
export const T0 = Date.UTC(2026, 0, 1);
export const ISSUER = 'https://gateway.example.com';
export const KEK = 'k'.repeat(16) + 'e'.repeat(16) + 'y'.repeat(8);

/** A clock tests move by hand. */
export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): void;
}

/** A manual clock starting at `start` (epoch ms). */
export function manualClock(start = T0): ManualClock {
  let at = start;
  return {
    now: () => at,
    advance: (ms) => {
      at += ms;
    },
  };
}

/** A typical direct role session request; override what the test is about. */
export function sessionInput(overrides: Partial<RoleSessionInput> = {}): RoleSessionInput {
  return {
    roleName: 'Developer',
    sessionName: 'alice@example.com',
    provider: 'corp-oidc',
    subject: 'alice',
    tags: { team: 'red', costCenter: '42' },
    transitiveTagKeys: ['team'],
    mfa: true,
    amr: ['pwd', 'mfa'],
    authTime: T0 / 1000 - 120,
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    durationSeconds: 3600,
    ...overrides,
  };
}

/** A key ring and a session service on `store`, with the defaults the tests rely on. */
export async function openSessions(
  store: Store,
  options: {
    now: () => number;
    algorithm?: SigningAlgorithm;
    keyEncryptionKey?: string;
    rotationIntervalSeconds?: number;
  },
): Promise<{ keys: SigningKeyRing; sessions: SessionService }> {
  const keys = await SigningKeyRing.open({
    store,
    algorithm: options.algorithm ?? 'ES256',
    ...(options.keyEncryptionKey === undefined ? {} : { keyEncryptionKey: options.keyEncryptionKey }),
    rotationIntervalSeconds: options.rotationIntervalSeconds ?? 86_400,
    maxTokenLifetimeSeconds: 12 * 3600,
    refreshIntervalSeconds: 60,
    now: options.now,
  });
  const sessions = new SessionService({
    store,
    keys,
    issuer: ISSUER,
    partition: 'fedgate',
    account: '000000000000',
    now: options.now,
  });
  return { keys, sessions };
}
