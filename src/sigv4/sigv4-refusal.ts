/**
 * Why a SigV4-signed request was not accepted, named as AWS's common errors name them
 * (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html):
 * - `IncompleteSignature`: the Authorization header or presigned query is missing a part or is malformed;
 * - `SignatureDoesNotMatch`: the signature, credential scope or allowed region/service does not match;
 * - `RequestExpired`: the request time is outside the skew window, or a presigned URL has expired.
 * The caller adds `InvalidClientTokenId` / `ExpiredToken` once it has looked the access key up.
 */
export type SigV4RefusalReason = 'IncompleteSignature' | 'SignatureDoesNotMatch' | 'RequestExpired';

/** A refused signature: the stable reason and a public message that echoes no request value. */
export interface SigV4Refusal {
  readonly ok: false;
  readonly reason: SigV4RefusalReason;
  readonly message: string;
}

/** Builds a refusal. */
export function sigv4Refusal(reason: SigV4RefusalReason, message: string): SigV4Refusal {
  return { ok: false, reason, message };
}
