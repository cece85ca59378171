import type { FedgateError } from '../errors/index.js';

/** The namespace of every STS Query API document (API version 2011-06-15). */
export const STS_XML_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** A value the XML renderer writes: text, a number, or nested elements in order. */
export type XmlValue = string | number | undefined | { readonly [element: string]: XmlValue };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number')
    return `<${name}>${escapeXml(String(value))}</${name}>`;
  return `<${name}>${Object.entries(value)
    .map(([child, v]) => element(child, v))
    .join('')}</${name}>`;
}

/**
 * An STS Query API success document, as AWS shapes it:
 * `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata><RequestId>…`.
 */
export function stsResponseXml(
  action: string,
  result: { readonly [element: string]: XmlValue },
  requestId: string,
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${STS_XML_NAMESPACE}">` +
    element(`${action}Result`, result) +
    element('ResponseMetadata', { RequestId: requestId }) +
    `</${action}Response>\n`
  );
}

/** An AWS error code, the HTTP status AWS answers it with, and whether the fault is the caller's. */
export interface StsErrorShape {
  readonly code: string;
  readonly status: number;
  readonly type: 'Sender' | 'Receiver';
}

/**
 * fedgate's error codes as the STS Query API names them (AWS STS API reference, "Errors" of each action and
 * "Common Errors"): an invalid or revoked session token is `InvalidClientTokenId` (403), an expired one
 * `ExpiredToken` (400; `ExpiredTokenException` for an expired web identity token), throttling is
 * `Throttling` (400), a store outage `ServiceUnavailable` (503).
 */
export function stsErrorShape(error: FedgateError, action: string | undefined): StsErrorShape {
  const sender = (code: string, status: number): StsErrorShape => ({ code, status, type: 'Sender' });
  switch (error.code) {
    case 'InvalidToken':
      return sender('InvalidClientTokenId', 403);
    case 'ExpiredToken':
      return action === 'AssumeRoleWithWebIdentity' || action === 'AssumeRoleWithSAML'
        ? sender('ExpiredTokenException', 400)
        : sender('ExpiredToken', 400);
    case 'ExplicitDeny':
    case 'ImplicitDeny':
    case 'NoMatchingRoute':
    case 'CsrfTokenInvalid':
      return sender('AccessDenied', 403);
    case 'IDPCommunicationError':
      return sender('IDPCommunicationError', 400);
    case 'RequestExpired':
      return sender('RequestExpired', 400);
    case 'TooManyRequests':
      return sender('Throttling', 400);
    case 'NotFound':
    case 'MethodNotAllowed':
      return sender('InvalidAction', 400);
    case 'PayloadTooLarge':
      return sender('RequestEntityTooLarge', 413);
    case 'StoreUnavailable':
    case 'ServiceUnavailable':
      return { code: 'ServiceUnavailable', status: 503, type: 'Receiver' };
    case 'InternalError':
    case 'InvalidConfiguration':
      return { code: 'InternalFailure', status: 500, type: 'Receiver' };
    default:
      return { code: error.code, status: error.status, type: error.status >= 500 ? 'Receiver' : 'Sender' };
  }
}

/** AWS's `<ErrorResponse>` document for an error. */
export function stsErrorXml(shape: StsErrorShape, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${STS_XML_NAMESPACE}">` +
    element('Error', { Type: shape.type, Code: shape.code, Message: message }) +
    element('RequestId', requestId) +
    `</ErrorResponse>\n`
  );
}
