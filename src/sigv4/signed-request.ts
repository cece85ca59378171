import type { CredentialScope } from './credential-scope.js';

/** Where the signature travelled: the Authorization header, or a presigned URL's query. */
export type SignatureForm = 'header' | 'query';

/** The signature parameters a client sent, parsed but not yet verified. */
export interface SignatureParameters {
  readonly form: SignatureForm;
  /** The algorithm name, e.g. `AWS4-HMAC-SHA256` (or `AWS4-X509-RSA-SHA256` for IAM Roles Anywhere). */
  readonly algorithm: string;
  readonly scope: CredentialScope;
  /** Lowercase and sorted, as the client listed them. */
  readonly signedHeaders: readonly string[];
  /** Lowercase hex. */
  readonly signature: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly requestDateTime: string;
  /** The session token (`X-Amz-Security-Token`), when sent. */
  readonly securityToken: string | undefined;
  /** Presigned URLs only: seconds the URL stays valid after `requestDateTime`. */
  readonly expiresSeconds: number | undefined;
}
