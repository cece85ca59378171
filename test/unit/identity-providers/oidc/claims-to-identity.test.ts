import { describe, expect, it } from 'vitest';
import { FedgateError } from '../../../../src/errors/index.js';
import {
  AWS_TAGS_CLAIM,
  amrMeansMfa,
  assertAllowedAlgorithms,
  assertIssuerUrl,
  claimValues,
  claimsToIdentity,
  parseClaimMapping,
} from '../../../../src/identity-providers/oidc/index.js';
import type { ClaimsToIdentityInput } from '../../../../src/identity-providers/oidc/index.js';

const NOW = 1_800_000_000;

function input(
  claims: Record<string, unknown>,
  overrides: Partial<ClaimsToIdentityInput> = {},
): ClaimsToIdentityInput {
  return {
    provider: 'corp',
    issuer: 'https://idp.example.com',
    audience: 'fedgate',
    claims,
    mappings: {
      subject: 'claim:sub',
      groups: 'claim:groups',
      sessionName: 'claim:email',
      tags: { team: 'claim:department' },
    },
    nowSeconds: NOW,
    rejectAs: 'InvalidOidcResponse',
    ...overrides,
  };
}

describe('claimsToIdentity', () => {
  it('keeps every claim: string lists in attributes, raw values in claims', () => {
    const claims = {
      sub: 'alice',
      groups: ['eng', 'payments'],
      email_verified: true,
      age: 42,
      address: { country: 'FR' },
      nothing: null,
    };
    const identity = claimsToIdentity(input(claims));
    expect(identity.attributes).toEqual({
      sub: ['alice'],
      groups: ['eng', 'payments'],
      email_verified: ['true'],
      age: ['42'],
      address: ['{"country":"FR"}'],
      nothing: [],
    });
    expect(identity.claims).toEqual(claims);
    expect(identity).toMatchObject({
      provider: 'corp',
      providerType: 'oidc',
      issuer: 'https://idp.example.com',
      audience: 'fedgate',
    });
  });

  it('maps subject, groups, session name and tags from the configured claims', () => {
    const identity = claimsToIdentity(
      input({ sub: 'u-1', groups: 'solo-group', email: 'alice@example.com', department: 'payments' }),
    );
    expect(identity.subject).toBe('u-1');
    expect(identity.groups).toEqual(['solo-group']);
    expect(identity.sessionName).toBe('alice@example.com');
    expect(identity.tags).toEqual({ team: 'payments' });
  });

  it('reads the subject from another claim when configured', () => {
    const identity = claimsToIdentity(
      input({ sub: 'u-1', email: 'a@x' }, { mappings: { subject: 'claim:email', tags: {} } }),
    );
    expect(identity.subject).toBe('a@x');
    expect(identity.groups).toEqual([]);
    expect(identity.sessionName).toBeUndefined();
    expect(identity.tags).toBeUndefined();
  });

  it('missing-subject: a token without the subject claim is refused with the caller code', () => {
    const web = (): unknown =>
      claimsToIdentity(input({ email: 'a@x' }, { rejectAs: 'InvalidIdentityToken' }));
    expect(web).toThrow(FedgateError);
    try {
      web();
    } catch (error) {
      expect(error).toMatchObject({ code: 'InvalidIdentityToken', reason: 'missing-subject' });
    }
  });

  it.each([
    [['pwd', 'mfa'], true],
    [['pwd', 'otp'], true],
    [['hwk'], true],
    [['swk', 'pwd'], true],
    [['sms'], true],
    [['fpt'], true],
    [['pwd'], false],
    [['pwd', 'kba'], false],
    [[], false],
  ])('amr %j means mfa=%s', (amr, mfa) => {
    expect(amrMeansMfa(amr)).toBe(mfa);
    expect(claimsToIdentity(input({ sub: 'a', amr })).mfa).toBe(mfa);
  });

  it('authTime comes from auth_time, else iat, else now', () => {
    expect(claimsToIdentity(input({ sub: 'a', auth_time: 100, iat: 200 })).authTime).toBe(100);
    expect(claimsToIdentity(input({ sub: 'a', iat: 200 })).authTime).toBe(200);
    expect(claimsToIdentity(input({ sub: 'a' })).authTime).toBe(NOW);
  });

  it('AWS tags claim becomes session tags and transitive tag keys; the configured mapping wins on conflict', () => {
    const identity = claimsToIdentity(
      input({
        sub: 'a',
        department: 'payments',
        [AWS_TAGS_CLAIM]: {
          principal_tags: { project: ['apollo'], team: ['from-idp'], multi: ['x', 'y'] },
          transitive_tag_keys: ['project'],
        },
      }),
    );
    expect(identity.tags).toEqual({ project: 'apollo', team: 'payments' });
    expect(identity.transitiveTagKeys).toEqual(['project']);
  });

  it('a malformed AWS tags claim is ignored, not trusted partially', () => {
    const identity = claimsToIdentity(
      input(
        { sub: 'a', [AWS_TAGS_CLAIM]: 'project=apollo' },
        { mappings: { subject: 'claim:sub', tags: {} } },
      ),
    );
    expect(identity.tags).toBeUndefined();
    expect(identity.transitiveTagKeys).toBeUndefined();
  });
});

describe('claim mappings and algorithm allow-lists', () => {
  it('parses claim:<name> and refuses anything else', () => {
    expect(parseClaimMapping('claim:https://aws.amazon.com/tags')).toBe('https://aws.amazon.com/tags');
    expect(() => parseClaimMapping('attr:email')).toThrow(TypeError);
    expect(() => parseClaimMapping('claim:')).toThrow(TypeError);
  });

  it('flattens nested arrays into string values', () => {
    expect(claimValues([['a', 1], true])).toEqual(['a', '1', 'true']);
  });

  it.each(['none', 'HS256', 'HS512', 'whatever'])('alg-not-allowed: %s cannot be configured', (alg) => {
    expect(() => assertAllowedAlgorithms(['RS256', alg], 'allowedAlgorithms')).toThrow(TypeError);
  });

  it('an empty algorithm list cannot be configured', () => {
    expect(() => assertAllowedAlgorithms([], 'allowedAlgorithms')).toThrow(TypeError);
  });

  it('plain http is only allowed for loopback issuers', () => {
    expect(assertIssuerUrl('http://127.0.0.1:4000', 'issuer').port).toBe('4000');
    expect(assertIssuerUrl('http://localhost:4000', 'issuer').hostname).toBe('localhost');
    expect(() => assertIssuerUrl('http://idp.example.com', 'issuer')).toThrow(TypeError);
    expect(() => assertIssuerUrl('not a url', 'issuer')).toThrow(TypeError);
  });
});
