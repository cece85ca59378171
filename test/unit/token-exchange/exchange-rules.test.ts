import { describe, expect, it } from 'vitest';
import {
  actClaimFor,
  audienceArn,
  chooseAudience,
  MAX_ACTOR_CHAIN_DEPTH,
  narrowScope,
  OAuthError,
  type RegisteredClient,
} from '../../../src/token-exchange/index.js';

const client = (audiences: string[]): RegisteredClient => ({
  id: 'c',
  audiences,
  authMethods: ['client_secret_basic'],
});

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthError) return error.error;
    throw error;
  }
  return 'none';
}

describe('chooseAudience', () => {
  it('the only audience of a client is the default', () => {
    expect(chooseAudience([], client(['reports-api']))).toBe('reports-api');
  });
  it('audience-not-allowed: invalid_target', () => {
    expect(code(() => chooseAudience(['payroll'], client(['reports-api'])))).toBe('invalid_target');
  });
  it('audience and resource naming the same target are one target', () => {
    expect(chooseAudience(['https://r.example', 'https://r.example'], client(['https://r.example']))).toBe(
      'https://r.example',
    );
  });
  it('several targets: invalid_target; no target with several audiences: invalid_request', () => {
    expect(code(() => chooseAudience(['a', 'b'], client(['a', 'b'])))).toBe('invalid_target');
    expect(code(() => chooseAudience([], client(['a', 'b'])))).toBe('invalid_request');
  });
  it('the resource ARN of an audience', () => {
    expect(audienceArn('fedgate', '000000000000', 'reports-api')).toBe(
      'arn:fedgate:sts::000000000000:audience/reports-api',
    );
  });
});

describe('narrowScope', () => {
  it('scope-widening beyond the client: invalid_scope', () => {
    expect(code(() => narrowScope(['admin'], ['read'], undefined))).toBe('invalid_scope');
  });
  it('a client without scopes may request none', () => {
    expect(code(() => narrowScope(['read'], undefined, undefined))).toBe('invalid_scope');
    expect(narrowScope(undefined, undefined, undefined)).toBeUndefined();
  });
  it('scope-widening beyond the subject: invalid_scope', () => {
    expect(code(() => narrowScope(['write'], ['read', 'write'], ['read']))).toBe('invalid_scope');
  });
  it('without a request: the client scopes the subject also has', () => {
    expect(narrowScope(undefined, ['read', 'write'], ['write', 'other'])).toEqual(['write']);
    expect(narrowScope(undefined, ['read'], ['other'])).toBeUndefined();
  });
});

describe('actClaimFor (RFC 8693 §4.1)', () => {
  const actor = { sub: 'svc', iss: 'https://sso', notAfter: 0 };
  it('no actor keeps the subject chain', () => {
    expect(actClaimFor(undefined, { sub: 'earlier' })).toEqual({ sub: 'earlier' });
  });
  it('the new actor is outermost, earlier actors nested inside', () => {
    expect(actClaimFor(actor, { sub: 'earlier' })).toEqual({
      sub: 'svc',
      iss: 'https://sso',
      act: { sub: 'earlier' },
    });
  });
  it('actor-chain-too-long: invalid_request past the maximum depth', () => {
    let chain: Record<string, unknown> | undefined;
    for (let i = 0; i < MAX_ACTOR_CHAIN_DEPTH; i++) chain = actClaimFor({ ...actor, sub: `a${i}` }, chain);
    expect(code(() => actClaimFor(actor, chain))).toBe('invalid_request');
  });
});
