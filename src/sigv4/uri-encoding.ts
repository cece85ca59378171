/**
 * AWS's URI encoding (SigV4 "UriEncode"): every byte except the RFC 3986 unreserved characters
 * `A-Z a-z 0-9 - _ . ~` becomes `%XX` with uppercase hex. `encodeURIComponent` leaves `!'()*` alone, so
 * those are escaped here too.
 */
export function awsUriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Percent-decoding that reports a malformed escape as `undefined` instead of throwing. */
export function percentDecode(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
