import { FedgateError, type ErrorCode } from '../errors/index.js';

/** Session tags of one role session: key → value, keys unique case-insensitively. */
export type SessionTags = Readonly<Record<string, string>>;

/** The session tags of a new session and which of them pass on to chained sessions. */
export interface TagSet {
  readonly tags: SessionTags;
  readonly transitiveTagKeys: readonly string[];
}

/** The tags a chained session inherits from its caller: the caller's transitive tags. */
export interface CallerTags {
  readonly tags: SessionTags;
  readonly transitiveTagKeys: readonly string[];
}

/** SPEC 5.4 and the AWS quotas. */
export const MAX_SESSION_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

// AWS tag character set: letters, numbers and spaces representable in UTF-8, and _ . : / = + - @
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Validates session tags and transitive tag keys (SPEC 5.4): at most 50, keys 1–128 and values ≤ 256 characters
 * of the AWS tag character set, keys unique case-insensitively, no `aws:` prefix, every transitive key a tag key.
 * `code` says whose input it is: `ValidationError` for the request, `IDPRejectedClaim` for what the IdP sent.
 */
export function validateTagSet(set: TagSet, code: ErrorCode = 'ValidationError'): TagSet {
  const entries = Object.entries(set.tags);
  if (entries.length > MAX_SESSION_TAGS) {
    throw new FedgateError(
      code,
      `At most ${MAX_SESSION_TAGS} session tags are allowed (got ${entries.length})`,
    );
  }
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH) {
      throw new FedgateError(code, `Session tag keys must be 1 to ${MAX_TAG_KEY_LENGTH} characters`);
    }
    if (!TAG_KEY.test(key)) {
      throw new FedgateError(
        code,
        'A session tag key has characters outside letters, digits, spaces and _.:/=+-@',
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new FedgateError(code, 'A session tag key uses the reserved prefix aws:');
    }
    if (typeof value !== 'string' || value.length > MAX_TAG_VALUE_LENGTH) {
      throw new FedgateError(code, `Session tag values are at most ${MAX_TAG_VALUE_LENGTH} characters`);
    }
    if (!TAG_VALUE.test(value)) {
      throw new FedgateError(
        code,
        'A session tag value has characters outside letters, digits, spaces and _.:/=+-@',
      );
    }
    const folded = key.toLowerCase();
    const previous = seen.get(folded);
    if (previous !== undefined) {
      throw new FedgateError(code, 'Session tag keys must be unique ignoring case');
    }
    seen.set(folded, key);
  }
  const transitive = new Map<string, string>();
  for (const key of set.transitiveTagKeys) {
    const tagKey = seen.get(key.toLowerCase());
    if (tagKey === undefined) {
      throw new FedgateError(code, 'A transitive tag key is not one of the session tags');
    }
    transitive.set(tagKey.toLowerCase(), tagKey);
  }
  return { tags: { ...set.tags }, transitiveTagKeys: [...transitive.values()] };
}

/** Request `Tags: [{Key, Value}]` as a record; a key given twice (in any case) is a ValidationError. */
export function tagsFromList(
  list: readonly { readonly Key: string; readonly Value: string }[],
): Record<string, string> {
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  for (const { Key, Value } of list) {
    const folded = Key.toLowerCase();
    if (seen.has(folded))
      throw new FedgateError('ValidationError', 'A session tag key is given more than once');
    seen.add(folded);
    tags[Key] = Value;
  }
  return tags;
}

/**
 * The tags of a chained session: the caller's transitive tags carried over unchanged, plus the request's tags.
 * A request tag that names an inherited transitive tag (in any case) is refused, as AWS STS does: transitive tags
 * are immutable down the chain.
 */
export function chainedTagSet(caller: CallerTags, request: TagSet): TagSet {
  const inherited: Record<string, string> = {};
  const inheritedKeys = new Set<string>();
  for (const key of caller.transitiveTagKeys) {
    const value = caller.tags[key];
    if (value === undefined) continue;
    inherited[key] = value;
    inheritedKeys.add(key.toLowerCase());
  }
  for (const key of Object.keys(request.tags)) {
    if (inheritedKeys.has(key.toLowerCase())) {
      throw new FedgateError(
        'ValidationError',
        `Session tag "${key}" is a transitive tag inherited from the calling session and cannot be changed`,
      );
    }
  }
  for (const key of request.transitiveTagKeys) {
    if (inheritedKeys.has(key.toLowerCase())) {
      throw new FedgateError(
        'ValidationError',
        `Transitive tag key "${key}" is already inherited from the calling session`,
      );
    }
  }
  const ownTransitive = request.transitiveTagKeys.filter((key) =>
    Object.keys(request.tags).some((tagKey) => tagKey.toLowerCase() === key.toLowerCase()),
  );
  if (ownTransitive.length !== request.transitiveTagKeys.length) {
    const missing = request.transitiveTagKeys.find((key) => !ownTransitive.includes(key));
    throw new FedgateError(
      'ValidationError',
      `Transitive tag key "${missing ?? ''}" is not one of the request's Tags`,
    );
  }
  return validateTagSet({
    tags: { ...inherited, ...request.tags },
    transitiveTagKeys: [...Object.keys(inherited), ...ownTransitive],
  });
}
