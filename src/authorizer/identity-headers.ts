import type { RoleSession } from '../sessions/index.js';
import { serializeTagsDictionary } from './structured-tags.js';

/** The static identity headers of one session. */
export interface IdentityHeaders {
  readonly 'x-fedgate-principal': string;
  readonly 'x-fedgate-role': string;
  readonly 'x-fedgate-subject': string;
  readonly 'x-fedgate-session': string;
  readonly 'x-fedgate-tags': string;
}

/**
 * The static identity headers for the upstream (SPEC 4.5), without the per-request assertion.
 * A value outside printable ASCII (an IdP subject may hold anything) is percent-encoded, so a header can
 * never be split or rejected.
 */
export function identityHeaders(session: RoleSession): IdentityHeaders {
  return {
    'x-fedgate-principal': headerSafe(session.principalArn),
    'x-fedgate-role': headerSafe(session.roleArn),
    'x-fedgate-subject': headerSafe(session.subject),
    'x-fedgate-session': headerSafe(session.id),
    'x-fedgate-tags': serializeTagsDictionary(session.tags),
  };
}

/** A header value: printable ASCII as is, anything else percent-encoded. */
export function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}
