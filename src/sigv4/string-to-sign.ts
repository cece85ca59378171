import { sha256Hex } from './canonical-request.js';
import { scopeString, type CredentialScope } from './credential-scope.js';

/**
 * The string to sign of any AWS4-* algorithm: the algorithm name, the request time (`YYYYMMDDTHHMMSSZ`),
 * the credential scope (without the key id) and the hex SHA-256 of the canonical request.
 */
export function stringToSign(
  algorithm: string,
  requestDateTime: string,
  scope: Pick<CredentialScope, 'date' | 'region' | 'service'>,
  canonicalRequestText: string,
): string {
  return `${algorithm}\n${requestDateTime}\n${scopeString(scope)}\n${sha256Hex(canonicalRequestText)}`;
}
