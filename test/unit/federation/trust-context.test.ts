import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  federatedPrincipal,
  trustContextFor,
  type FederatedIdentity,
  type TrustRequestFacts,
} from '../../../src/federation/index.js';

const scope = { partition: 'fedgate', account: '000000000000' };
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

const facts = (overrides: Partial<TrustRequestFacts> = {}): TrustRequestFacts => ({
  sessionName: 'alice',
  requestTags: {},
  transitiveTagKeys: [],
  sourceIp: '10.1.2.3',
  now: NOW,
  ...overrides,
});

const github: FederatedIdentity = {
  provider: 'github-actions',
  providerType: 'oidc',
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'repo:acme/api:ref:refs/heads/main',
  attributes: {
    sub: ['repo:acme/api:ref:refs/heads/main'],
    aud: ['fedgate'],
    repository: ['acme/api'],
    teams: ['a'],
  },
  claims: { sub: 'repo:acme/api:ref:refs/heads/main', aud: 'fedgate', repository: 'acme/api', teams: ['a'] },
  groups: ['ci'],
  amr: ['pwd', 'mfa'],
  mfa: true,
  authTime: NOW / 1000 - 30,
  audience: 'fedgate',
};

const saml: FederatedIdentity = {
  provider: 'corp-saml',
  providerType: 'saml',
  issuer: 'https://idp.example.com/metadata',
  subject: 'alice@example.com',
  attributes: { department: ['it'], memberOf: ['eng', 'ops'] },
  groups: ['eng', 'ops'],
  amr: [],
  mfa: false,
  authTime: NOW / 1000 - 30,
  nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  audience: 'https://sso.example.com/saml/corp-saml/acs',
};

describe('trust context keys (SPEC 5.2)', () => {
  it('names every OIDC claim under the provider id and under the AWS issuer-host name', () => {
    const context = trustContextFor(github, facts(), scope);
    for (const prefix of ['github-actions', 'token.actions.githubusercontent.com']) {
      expect(context[`${prefix}:sub`]).toBe('repo:acme/api:ref:refs/heads/main');
      expect(context[`${prefix}:aud`]).toBe('fedgate');
      expect(context[`${prefix}:amr`]).toEqual(['pwd', 'mfa']);
      expect(context[`${prefix}:repository`]).toBe('acme/api');
    }
  });

  it('keeps an array claim multi-valued even when it has one value', () => {
    expect(trustContextFor(github, facts(), scope)['github-actions:teams']).toEqual(['a']);
  });

  it('names issuers with a path by host and path, as AWS names OIDC providers', () => {
    const eks = { ...github, issuer: 'https://oidc.eks.example.com/id/ABC/' };
    const context = trustContextFor(eks, facts(), scope);
    expect(context['oidc.eks.example.com/id/ABC:sub']).toBe(github.subject);
  });

  it('gives every SAML attribute as saml:<name> plus sub, sub_type, iss, aud and the AWS name qualifier', () => {
    const context = trustContextFor(saml, facts(), scope);
    expect(context['saml:department']).toBe('it');
    expect(context['saml:memberOf']).toEqual(['eng', 'ops']);
    expect(context['saml:sub']).toBe('alice@example.com');
    expect(context['saml:sub_type']).toBe('persistent');
    expect(context['saml:iss']).toBe('https://idp.example.com/metadata');
    expect(context['saml:aud']).toBe('https://sso.example.com/saml/corp-saml/acs');
    const expected = createHash('sha1')
      .update('https://idp.example.com/metadata000000000000/corp-saml')
      .digest('base64');
    expect(context['saml:namequalifier']).toBe(expected);
  });

  it('adds groups (multi-valued), MFA, provider, request tags, session name, source identity, IP and time', () => {
    const context = trustContextFor(
      github,
      facts({ requestTags: { team: 'red' }, transitiveTagKeys: ['team'], sourceIdentity: 'alice' }),
      scope,
    );
    expect(context['fedgate:groups']).toEqual(['ci']);
    expect(context['aws:MultiFactorAuthPresent']).toBe(true);
    expect(context['aws:MultiFactorAuthAge']).toBe('30');
    expect(context['aws:FederatedProvider']).toBe('github-actions');
    expect(context['aws:RequestTag/team']).toBe('red');
    expect(context['aws:TagKeys']).toEqual(['team']);
    expect(context['sts:TransitiveTagKeys']).toEqual(['team']);
    expect(context['sts:RoleSessionName']).toBe('alice');
    expect(context['sts:SourceIdentity']).toBe('alice');
    expect(context['aws:SourceIp']).toBe('10.1.2.3');
    expect(context['aws:CurrentTime']).toBe('2026-01-01T12:00:00Z');
    expect(context['aws:EpochTime']).toBe(String(NOW / 1000));
  });

  it('leaves aws:TagKeys and sts:SourceIdentity out when none are passed', () => {
    const context = trustContextFor(saml, facts(), scope);
    expect(context).not.toHaveProperty('aws:TagKeys');
    expect(context).not.toHaveProperty('sts:SourceIdentity');
    expect(context['aws:MultiFactorAuthPresent']).toBe(false);
  });
});

describe('federated principal', () => {
  it('is the provider id, aliased by the provider ARN and issuer host (OIDC)', () => {
    expect(federatedPrincipal(github, scope)).toEqual({
      type: 'Federated',
      id: 'github-actions',
      aliases: [
        'arn:fedgate:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
        'token.actions.githubusercontent.com',
      ],
    });
  });

  it('is the provider id, aliased by the saml-provider ARN (SAML)', () => {
    expect(federatedPrincipal(saml, scope)).toEqual({
      type: 'Federated',
      id: 'corp-saml',
      aliases: ['arn:fedgate:iam::000000000000:saml-provider/corp-saml'],
    });
  });
});
