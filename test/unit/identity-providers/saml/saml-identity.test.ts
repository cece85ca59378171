import { describe, expect, it } from 'vitest';
import type { SamlAssertion } from '../../../../src/identity-providers/saml/saml-assertion.js';
import { samlAssertionToIdentity as mapAssertion } from '../../../../src/identity-providers/saml/saml-identity.js';
import type { SamlIdentityMapping } from '../../../../src/identity-providers/saml/saml-identity.js';

const mapping: SamlIdentityMapping = {
  providerId: 'corp',
  idpEntityId: 'https://idp.test',
  spEntityId: 'https://sp.test',
  subject: 'nameID',
  tags: {},
  mfaAuthnContexts: [],
};

function assertion(attributes: Record<string, string[]>): SamlAssertion {
  return {
    id: '_a',
    issuer: 'https://idp.test',
    issueInstant: 1_700_000_000_000,
    nameId: { value: 'alice' },
    confirmations: [],
    hasAuthnStatement: true,
    authnContextClassRefs: [],
    attributes,
  };
}

const samlAssertionToIdentity = (...args: Parameters<typeof mapAssertion>) => mapAssertion(...args).identity;

describe('SAML assertion → federated identity', () => {
  it('AWS Role pairs in either order give the role ARNs, de-duplicated, provider ARNs dropped', () => {
    const identity = samlAssertionToIdentity(
      assertion({
        'https://aws.amazon.com/SAML/Attributes/Role': [
          'arn:aws:iam::123456789012:role/A, arn:aws:iam::123456789012:saml-provider/P',
          'arn:aws:iam::123456789012:saml-provider/P,arn:aws:iam::123456789012:role/B',
          'arn:aws:iam::123456789012:role/A,arn:aws:iam::123456789012:saml-provider/P',
        ],
      }),
      mapping,
    );
    expect(identity.allowedRoleArns).toEqual([
      'arn:aws:iam::123456789012:role/A',
      'arn:aws:iam::123456789012:role/B',
    ]);
  });

  it('RoleSessionName is the session name when the provider maps none; the subject otherwise', () => {
    expect(
      samlAssertionToIdentity(
        assertion({ 'https://aws.amazon.com/SAML/Attributes/RoleSessionName': ['rsn'] }),
        mapping,
      ).sessionName,
    ).toBe('rsn');
    expect(samlAssertionToIdentity(assertion({}), mapping).sessionName).toBe('alice');
  });

  it('the provider tag mapping wins over a PrincipalTag attribute with the same key', () => {
    const identity = samlAssertionToIdentity(
      assertion({
        'https://aws.amazon.com/SAML/Attributes/PrincipalTag:team': ['from-idp'],
        dept: ['from-mapping'],
      }),
      { ...mapping, tags: { team: 'attr:dept' } },
    );
    expect(identity.tags).toEqual({ team: 'from-mapping' });
  });

  it('invalid-aws-attribute: a SessionDuration that is not a whole number of seconds', () => {
    expect(() =>
      samlAssertionToIdentity(
        assertion({ 'https://aws.amazon.com/SAML/Attributes/SessionDuration': ['1h'] }),
        mapping,
      ),
    ).toThrow(expect.objectContaining({ code: 'InvalidSamlResponse', reason: 'invalid-aws-attribute' }));
  });

  it('TransitiveTagKeys accepts several values and comma-separated lists', () => {
    const identity = samlAssertionToIdentity(
      assertion({ 'https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys': ['a, b', 'c'] }),
      mapping,
    );
    expect(identity.transitiveTagKeys).toEqual(['a', 'b', 'c']);
  });

  it('no allowedRoleArns, sourceIdentity or sessionDuration keys when the IdP sends none', () => {
    const identity = samlAssertionToIdentity(assertion({}), mapping);
    expect(identity).not.toHaveProperty('allowedRoleArns');
    expect(identity).not.toHaveProperty('sourceIdentity');
    expect(identity).not.toHaveProperty('sessionDuration');
  });

  it('reserved-attribute-name: an attribute named SUB would collide with saml:sub', () => {
    expect(() => samlAssertionToIdentity(assertion({ SUB: ['admin'] }), mapping)).toThrow(
      expect.objectContaining({ code: 'InvalidSamlResponse', reason: 'reserved-attribute-name' }),
    );
  });

  it('reserved-attribute-name: two attributes whose names differ only in case', () => {
    expect(() =>
      samlAssertionToIdentity(assertion({ email: ['a@x.test'], EMAIL: ['b@x.test'] }), mapping),
    ).toThrow(expect.objectContaining({ reason: 'reserved-attribute-name' }));
  });

  it('names the attribute whose value cannot be a session tag', () => {
    const result = mapAssertion(assertion({ dept: ['pay<ments>'] }), {
      ...mapping,
      tags: { team: 'attr:dept' },
    });
    expect(result.refusedTagAttributes).toEqual(['dept']);
  });
});
