import { describe, expect, it } from 'vitest';
import { parseIdpMetadata } from '../../../../src/identity-providers/saml/saml-idp-metadata.js';
import {
  SAML_NS,
  childElements,
  parseSamlXml,
  textOf,
} from '../../../../src/identity-providers/saml/saml-xml.js';
import { createTestSamlIdp } from '../../../support/saml-idp.js';

describe('strict SAML XML parsing', () => {
  it('dtd-refused: any DOCTYPE, even a harmless one', () => {
    expect(() => parseSamlXml('<!DOCTYPE a><a/>')).toThrow(
      expect.objectContaining({ reason: 'dtd-refused' }),
    );
  });

  it('malformed-message: unbound prefixes, stray text after the root, a second root', () => {
    for (const xml of ['<x:a/>', '<a/>text', '<a/><b/>', '']) {
      expect(() => parseSamlXml(xml)).toThrow(expect.objectContaining({ reason: 'malformed-message' }));
    }
  });

  it('text under an element skips comments instead of stopping at them', () => {
    const root = parseSamlXml(
      `<a xmlns="${SAML_NS}"><NameID>user@evil.com<!---->.example.com</NameID></a>`,
    ).documentElement;
    const nameId = root === null ? undefined : childElements(root, SAML_NS, 'NameID')[0];
    expect(nameId === undefined ? undefined : textOf(nameId)).toBe('user@evil.com.example.com');
  });
});

describe('IdP metadata parsing', () => {
  const idp = createTestSamlIdp({
    entityId: 'https://idp.test',
    ssoUrl: 'https://idp.test/sso',
    sloUrl: 'https://idp.test/slo',
  });

  it('reads entity id, redirect SSO and SLO endpoints and signing certificates', () => {
    const metadata = parseIdpMetadata(idp.metadataXml, 'https://idp.test');
    expect(metadata).toMatchObject({
      entityId: 'https://idp.test',
      ssoUrl: 'https://idp.test/sso',
      sloUrl: 'https://idp.test/slo',
    });
    expect(metadata.certificates).toEqual([idp.certificatePem]);
  });

  it('finds the configured entity inside an EntitiesDescriptor aggregate', () => {
    const other = createTestSamlIdp({ entityId: 'https://other.test' });
    const aggregate = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${other.metadataXml}${idp.metadataXml}</md:EntitiesDescriptor>`;
    expect(parseIdpMetadata(aggregate, 'https://idp.test').certificates).toEqual([idp.certificatePem]);
  });

  it('refuses metadata for another entity id', () => {
    expect(() => parseIdpMetadata(idp.metadataXml, 'https://someone-else.test')).toThrow(
      expect.objectContaining({ code: 'InvalidConfiguration' }),
    );
  });
});
