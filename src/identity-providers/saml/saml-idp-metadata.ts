import type { Element } from '@xmldom/xmldom';
import { FedgateError } from '../../errors/index.js';
import {
  DSIG_NS,
  MD_NS,
  attributeOf,
  childElements,
  isSamlElement,
  parseSamlXml,
  textOf,
} from './saml-xml.js';

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** Largest metadata document fedgate reads; aggregates of whole federations are not supported. */
export const MAX_METADATA_BYTES = 1024 * 1024;

/** What fedgate takes from an IdP's metadata. */
export interface SamlIdpMetadata {
  readonly entityId: string;
  /** HTTP-Redirect SingleSignOnService (what node-saml sends AuthnRequests to). */
  readonly ssoUrl?: string;
  readonly sloUrl?: string;
  /** Signing certificates as PEM. */
  readonly certificates: readonly string[];
}

/**
 * Reads the IDPSSODescriptor of `entityId` from metadata XML (an EntityDescriptor, or an EntitiesDescriptor
 * holding it). Throws InvalidConfiguration when the document does not describe that IdP usefully.
 */
export function parseIdpMetadata(xml: string, entityId: string): SamlIdpMetadata {
  let root: Element | null;
  try {
    root = parseSamlXml(xml).documentElement;
  } catch (error) {
    throw invalid('the IdP metadata is not well-formed XML', error);
  }
  const entity = root === null ? undefined : findEntity(root, entityId);
  if (entity === undefined) throw invalid('the IdP metadata does not describe the configured issuer');
  const descriptor = childElements(entity, MD_NS, 'IDPSSODescriptor')[0];
  if (descriptor === undefined) throw invalid('the IdP metadata has no IDPSSODescriptor');

  const certificates = childElements(descriptor, MD_NS, 'KeyDescriptor')
    .filter((key) => (attributeOf(key, 'use') ?? 'signing') === 'signing')
    .flatMap((key) => childElements(key, DSIG_NS, 'KeyInfo'))
    .flatMap((info) => childElements(info, DSIG_NS, 'X509Data'))
    .flatMap((data) => childElements(data, DSIG_NS, 'X509Certificate'))
    .map((certificate) => toPem(textOf(certificate)));
  if (certificates.length === 0) throw invalid('the IdP metadata has no signing certificate');

  const ssoUrl = endpoint(descriptor, 'SingleSignOnService');
  const sloUrl = endpoint(descriptor, 'SingleLogoutService');
  return {
    entityId,
    certificates: [...new Set(certificates)],
    ...(ssoUrl === undefined ? {} : { ssoUrl }),
    ...(sloUrl === undefined ? {} : { sloUrl }),
  };
}

/** Fetches metadata with a timeout and a size bound, and parses it. */
export async function fetchIdpMetadata(
  url: string,
  entityId: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<SamlIdpMetadata> {
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new FedgateError('ServiceUnavailable', 'The identity provider metadata could not be fetched.', {
      internal: 'idp-metadata-unreachable',
      cause: error,
    });
  }
  if (!response.ok) {
    throw new FedgateError('ServiceUnavailable', 'The identity provider metadata could not be fetched.', {
      internal: `idp-metadata-http-${response.status}`,
    });
  }
  const body = await response.arrayBuffer();
  if (body.byteLength > MAX_METADATA_BYTES) throw invalid('the IdP metadata is too large');
  return parseIdpMetadata(new TextDecoder().decode(body), entityId);
}

function findEntity(root: Element, entityId: string): Element | undefined {
  if (isSamlElement(root, MD_NS, 'EntityDescriptor'))
    return attributeOf(root, 'entityID') === entityId ? root : undefined;
  if (!isSamlElement(root, MD_NS, 'EntitiesDescriptor')) return undefined;
  for (const child of [
    ...childElements(root, MD_NS, 'EntityDescriptor'),
    ...childElements(root, MD_NS, 'EntitiesDescriptor'),
  ]) {
    const found = findEntity(child, entityId);
    if (found !== undefined) return found;
  }
  return undefined;
}

function endpoint(descriptor: Element, name: string): string | undefined {
  const services = childElements(descriptor, MD_NS, name);
  const byBinding = (binding: string): string | undefined =>
    services
      .map((service) =>
        attributeOf(service, 'Binding') === binding ? attributeOf(service, 'Location') : undefined,
      )
      .find((location) => location !== undefined);
  return byBinding(REDIRECT_BINDING) ?? byBinding(POST_BINDING);
}

function toPem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function invalid(reason: string, cause?: unknown): FedgateError {
  return new FedgateError('InvalidConfiguration', 'The identity provider metadata is not usable.', {
    internal: reason,
    ...(cause === undefined ? {} : { cause }),
  });
}
