/** The credential scope of a SigV4-family signature: `<key id>/<yyyymmdd>/<region>/<service>/aws4_request`. */
export interface CredentialScope {
  /** The access key id (or, for IAM Roles Anywhere's AWS4-X509-*, the certificate serial number). */
  readonly keyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** The fixed last element of every SigV4 credential scope. */
export const SCOPE_TERMINATOR = 'aws4_request';

const DATE = /^\d{8}$/;
const ELEMENT = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_ID = /^[A-Za-z0-9+=._-]{1,128}$/;

/** Parses `<key id>/<date>/<region>/<service>/aws4_request`; `undefined` when it has another shape. */
export function parseCredentialScope(credential: string): CredentialScope | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5) return undefined;
  const [keyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (terminator !== SCOPE_TERMINATOR) return undefined;
  if (!KEY_ID.test(keyId) || !DATE.test(date) || !ELEMENT.test(region) || !ELEMENT.test(service))
    return undefined;
  return { keyId, date, region, service };
}

/** The scope string without the key id, as it appears in the string to sign. */
export function scopeString(scope: Pick<CredentialScope, 'date' | 'region' | 'service'>): string {
  return `${scope.date}/${scope.region}/${scope.service}/${SCOPE_TERMINATOR}`;
}
