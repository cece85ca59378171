import { createHash } from 'node:crypto';
import { FedgateError, type ErrorCode } from '../errors/index.js';
import type { FederatedIdentity } from './federated-identity.js';

/** AWS `RoleSessionName` / `SourceIdentity` syntax: 2–64 characters of `[\w+=,.@-]`. */
export const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

/** Throws `code` unless `name` is a valid role session name. */
export function assertSessionName(name: string, code: ErrorCode = 'ValidationError'): string {
  if (!SESSION_NAME_PATTERN.test(name)) {
    throw new FedgateError(code, 'RoleSessionName must be 2 to 64 characters of letters, digits and _+=,.@-');
  }
  return name;
}

/** Throws `code` unless `value` is a valid source identity (same syntax as a session name, no `aws:` prefix). */
export function assertSourceIdentity(value: string, code: ErrorCode = 'ValidationError'): string {
  if (!SESSION_NAME_PATTERN.test(value) || value.toLowerCase().startsWith('aws:')) {
    throw new FedgateError(code, 'SourceIdentity must be 2 to 64 characters of letters, digits and _+=,.@-');
  }
  return value;
}

/**
 * The session name of a federated identity when the request gives none: the provider's `sessionName` mapping
 * (AWS SAML `RoleSessionName`), else the subject. Characters outside the allowed set become `-`, the result is
 * cut to 64, and a too-short one is padded, so an odd subject never blocks a login.
 */
export function defaultSessionName(identity: Pick<FederatedIdentity, 'sessionName' | 'subject'>): string {
  const raw = identity.sessionName ?? identity.subject;
  let name = raw.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  if (name.length < 2) name = `${name}--`.slice(0, 2);
  return name;
}

/**
 * AWS `SubjectType` / `saml:sub_type`: the NameID format without the SAML 2.0 `nameid-format:` prefix
 * (`persistent`, `transient`), any other format unchanged.
 */
export function samlSubjectType(nameIdFormat: string | undefined): string {
  if (nameIdFormat === undefined || nameIdFormat === '') return 'unspecified';
  const prefix = 'urn:oasis:names:tc:SAML:2.0:nameid-format:';
  return nameIdFormat.startsWith(prefix) ? nameIdFormat.slice(prefix.length) : nameIdFormat;
}

/**
 * AWS `NameQualifier` / `saml:namequalifier`: base64(SHA-1(issuer + account + "/" + provider name)); together
 * with the subject it identifies a user uniquely across providers.
 */
export function samlNameQualifier(issuer: string, account: string, providerId: string): string {
  return createHash('sha1').update(`${issuer}${account}/${providerId}`, 'utf8').digest('base64');
}
