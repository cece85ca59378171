/**
 * Why a request path is refused rather than routed: each is a spelling that common upstreams read differently
 * from one another, so whatever fedgate decided could be about another resource than the one served.
 */
export type PathRefusal =
  /** Not an absolute path. */
  | 'NotAbsolute'
  /** Bad percent-encoding or not UTF-8. */
  | 'BadEncoding'
  /** `.` / `..` segments (also encoded): resolved by some upstreams, not by others. */
  | 'DotSegment'
  /** An encoded `/` or a `\` (decoded): a separator for some upstreams (IIS, Windows, Tomcat). */
  | 'EncodedSeparator'
  /** `;` parameters (`/admin;x=1`): stripped by Tomcat/Spring/Jetty before routing. */
  | 'SemicolonParameter'
  /** A segment ending in `.` or a space: IIS and Windows file systems drop them. */
  | 'TrailingDotOrSpace'
  /** `%25`: double encoding, decoded twice by some stacks. */
  | 'DoubleEncoding'
  /** Control characters (C0, DEL, C1), raw or encoded. */
  | 'ControlCharacter'
  /** Text not in Unicode NFC, or that NFKC would change (full-width letters, ligatures): normalised by some stacks. */
  | 'NonNormalizedText'
  /** More segments than any route could use (bounds the work per request). */
  | 'TooManySegments';

/** The outcome of normalising a request path. */
export type NormalizedPath =
  | { readonly ok: true; readonly segments: readonly string[] }
  | { readonly ok: false; readonly reason: PathRefusal };

/** A request path with more segments than this is refused. */
export const MAX_PATH_SEGMENTS = 64;

// eslint-disable-next-line no-control-regex -- matching control characters is the point of this check
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const ASCII_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,=:@]*$/;

/**
 * The decoded segments of a raw request path (no query, no fragment), empty segments dropped; or why it is refused.
 * Decoding is done once, segment by segment, so an encoded `/` never becomes a separator.
 */
export function normalizeRequestPath(rawPath: string): NormalizedPath {
  if (!rawPath.startsWith('/')) return refuse('NotAbsolute');
  const parts = rawPath.split('/');
  if (parts.length - 1 > MAX_PATH_SEGMENTS) return refuse('TooManySegments');
  const segments: string[] = [];
  for (const part of parts) {
    if (part.length === 0) continue;
    // The common case, plain ASCII without `%` or `;`: only the dot rules apply.
    if (ASCII_SAFE.test(part)) {
      if (part === '.' || part === '..') return refuse('DotSegment');
      if (part.endsWith('.')) return refuse('TrailingDotOrSpace');
      segments.push(part);
      continue;
    }
    const decoded = decodeSegment(part);
    if (!decoded.ok) return decoded;
    segments.push(decoded.segment);
  }
  return { ok: true, segments };
}

/** The decoded segment, or why it is refused. */
function decodeSegment(
  raw: string,
): { readonly ok: true; readonly segment: string } | { readonly ok: false; readonly reason: PathRefusal } {
  const refusal = segmentRefusal(raw);
  return typeof refusal === 'string'
    ? { ok: false, reason: refusal }
    : { ok: true, segment: refusal.decoded };
}

function segmentRefusal(raw: string): PathRefusal | { readonly decoded: string } {
  if (raw.includes('%25')) return 'DoubleEncoding';
  if (raw.includes(';')) return 'SemicolonParameter';
  if (CONTROL.test(raw)) return 'ControlCharacter';
  let decoded: string;
  try {
    decoded = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    return 'BadEncoding';
  }
  if (decoded === '.' || decoded === '..') return 'DotSegment';
  if (decoded.includes('/') || decoded.includes('\\')) return 'EncodedSeparator';
  if (decoded.includes(';')) return 'SemicolonParameter';
  if (CONTROL.test(decoded)) return 'ControlCharacter';
  if (decoded.endsWith('.') || decoded.endsWith(' ')) return 'TrailingDotOrSpace';
  if (decoded.normalize('NFC') !== decoded || decoded.normalize('NFKC') !== decoded)
    return 'NonNormalizedText';
  return { decoded };
}

function refuse(reason: PathRefusal): NormalizedPath {
  return { ok: false, reason };
}
