import type { SignatureParameters } from './signed-request.js';
import { sigv4Refusal, type SigV4Refusal } from './sigv4-refusal.js';

/** AWS's clock-skew allowance for signed requests: 15 minutes either way. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 900;

/** The last time parsed: requests signed within the same second share it (a pure function's last answer). */
let lastParsed: { readonly text: string; readonly seconds: number | undefined } = {
  text: '',
  seconds: undefined,
};

/** Epoch seconds of a `YYYYMMDDTHHMMSSZ` time; `undefined` when it names no real instant. */
export function parseAmzDate(value: string): number | undefined {
  if (value === lastParsed.text) return lastParsed.seconds;
  const seconds = parseAmzDateOnce(value);
  lastParsed = { text: value, seconds };
  return seconds;
}

function parseAmzDateOnce(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== s
  )
    return undefined;
  return ms / 1000;
}

/** A `YYYYMMDDTHHMMSSZ` time from epoch seconds. */
export function formatAmzDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * Checks the request time against `nowSeconds`: the scope date must be the request date; a header-signed
 * request must be within the skew window; a presigned URL must not be from the future (beyond the skew) and
 * must not have expired.
 */
export function checkRequestTime(
  params: SignatureParameters,
  nowSeconds: number,
  skewSeconds: number = DEFAULT_CLOCK_SKEW_SECONDS,
): SigV4Refusal | undefined {
  const signedAt = parseAmzDate(params.requestDateTime);
  if (signedAt === undefined)
    return sigv4Refusal(
      'IncompleteSignature',
      'The request signature is incomplete or malformed: the date is not a real date.',
    );
  if (params.scope.date !== params.requestDateTime.slice(0, 8))
    return sigv4Refusal(
      'SignatureDoesNotMatch',
      'The date in the credential scope does not match the request date.',
    );
  if (signedAt > nowSeconds + skewSeconds)
    return sigv4Refusal('RequestExpired', 'The request is signed with a time too far in the future.');
  if (params.form === 'query') {
    if (nowSeconds > signedAt + (params.expiresSeconds ?? 0))
      return sigv4Refusal('RequestExpired', 'The presigned URL has expired.');
  } else if (signedAt < nowSeconds - skewSeconds) {
    return sigv4Refusal(
      'RequestExpired',
      'The request signature has expired: its time is outside the allowed clock skew.',
    );
  }
  return undefined;
}
