import type { Element } from '@xmldom/xmldom';
import { samlRejection } from './saml-rejection.js';
import {
  SAMLP_NS,
  SAML_NS,
  attributeOf,
  childElements,
  isSamlElement,
  optionalChild,
  parseInstant,
  textOf,
} from './saml-xml.js';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** Who to log out: what the caller kept from the login (`consumeResponse` returns all of it). */
export interface SamlLogoutSubject {
  readonly nameIdValue: string;
  readonly nameIdFormat?: string;
  readonly nameQualifier?: string;
  readonly sessionIndex?: string;
}

/** A logout message as it reached the SLO endpoint. `rawQuery` is the query string exactly as received. */
export type SamlLogoutMessage =
  | {
      readonly binding: 'redirect';
      readonly query: Readonly<Record<string, unknown>>;
      readonly rawQuery: string;
    }
  | { readonly binding: 'post'; readonly form: Readonly<Record<string, unknown>> };

/** The IdP asks us to end the sessions of a subject; after revoking them, redirect to `respond(ok)`. */
export interface SamlLogoutRequestResult {
  readonly kind: 'logout-request';
  readonly nameIdValue: string;
  readonly nameIdFormat?: string;
  readonly sessionIndexes: readonly string[];
  readonly relayState?: string;
  /** The URL of our LogoutResponse to the IdP; undefined when the IdP has no SLO endpoint. */
  respond(success: boolean): Promise<string | undefined>;
}

/** The IdP answered our LogoutRequest. */
export interface SamlLogoutResponseResult {
  readonly kind: 'logout-response';
  readonly success: boolean;
  readonly relayState?: string;
}

/** What `handleLogout` returns. */
export type SamlLogoutResult = SamlLogoutRequestResult | SamlLogoutResponseResult;

/** The fields fedgate reads from a LogoutRequest or LogoutResponse after its signature was verified. */
export interface LogoutMessageFields {
  readonly kind: 'request' | 'response';
  readonly id: string;
  readonly issuer: string | undefined;
  readonly destination: string | undefined;
  readonly notOnOrAfter: number | undefined;
  readonly inResponseTo: string | undefined;
  readonly success: boolean;
  readonly nameId: { readonly value: string; readonly format?: string } | undefined;
  readonly sessionIndexes: readonly string[];
}

/** Reads a LogoutRequest/LogoutResponse root element; anything else is not a logout message. */
export function readLogoutMessage(root: Element): LogoutMessageFields {
  const kind = isSamlElement(root, SAMLP_NS, 'LogoutRequest')
    ? 'request'
    : isSamlElement(root, SAMLP_NS, 'LogoutResponse')
      ? 'response'
      : undefined;
  if (kind === undefined) throw samlRejection('malformed-message');
  const id = attributeOf(root, 'ID');
  if (id === undefined || id === '') throw samlRejection('malformed-message');
  const issuer = optionalChild(root, SAML_NS, 'Issuer');
  const nameIdElement = optionalChild(root, SAML_NS, 'NameID');
  const format = nameIdElement && attributeOf(nameIdElement, 'Format');
  const status = optionalChild(root, SAMLP_NS, 'Status');
  const statusCode = status && optionalChild(status, SAMLP_NS, 'StatusCode');
  return {
    kind,
    id,
    issuer: issuer && textOf(issuer),
    destination: attributeOf(root, 'Destination'),
    notOnOrAfter: parseInstant(attributeOf(root, 'NotOnOrAfter')),
    inResponseTo: attributeOf(root, 'InResponseTo'),
    success: statusCode !== undefined && attributeOf(statusCode, 'Value') === SUCCESS,
    nameId:
      nameIdElement === undefined
        ? undefined
        : { value: textOf(nameIdElement), ...(format === undefined ? {} : { format }) },
    sessionIndexes: childElements(root, SAMLP_NS, 'SessionIndex').map(textOf),
  };
}

/** Checks what node-saml leaves to us on logout messages: issuer, destination and lifetime. */
export function checkLogoutMessage(
  message: LogoutMessageFields,
  expected: {
    readonly idpEntityId: string;
    readonly sloCallbackUrl: string;
    readonly nowMs: number;
    readonly clockSkewMs: number;
  },
): void {
  if (message.issuer !== expected.idpEntityId) throw samlRejection('wrong-issuer');
  if (message.destination !== undefined && message.destination !== expected.sloCallbackUrl) {
    throw samlRejection('wrong-destination');
  }
  if (message.notOnOrAfter !== undefined && message.notOnOrAfter <= expected.nowMs - expected.clockSkewMs) {
    throw samlRejection('expired');
  }
  if (message.kind === 'request' && (message.nameId === undefined || message.nameId.value === '')) {
    throw samlRejection('missing-subject');
  }
}

/** Refuses a query string that repeats a parameter: the signed bytes and the parsed values could differ. */
export function assertSingleValuedQuery(rawQuery: string): void {
  const names = rawQuery
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      try {
        return decodeURIComponent(pair.split('=')[0] ?? '');
      } catch (error) {
        throw samlRejection('malformed-message', error);
      }
    });
  if (new Set(names).size !== names.length) throw samlRejection('malformed-message');
}
