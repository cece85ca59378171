import { describe, expect, it } from 'vitest';
import { chainedTagSet, tagsFromList, validateTagSet } from '../../../src/federation/index.js';

const manyTags = (count: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`key${i}`, `value${i}`]));

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('session tag limits (SPEC 5.4)', () => {
  it('accepts 50 tags and refuses 51', () => {
    expect(validateTagSet({ tags: manyTags(50), transitiveTagKeys: [] }).tags).toEqual(manyTags(50));
    expect(codeOf(() => validateTagSet({ tags: manyTags(51), transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
  });

  it('accepts a 128-character key and refuses 129', () => {
    expect(
      codeOf(() => validateTagSet({ tags: { ['k'.repeat(128)]: 'v' }, transitiveTagKeys: [] })),
    ).toBeUndefined();
    expect(codeOf(() => validateTagSet({ tags: { ['k'.repeat(129)]: 'v' }, transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
  });

  it('accepts a 256-character value (and an empty one) and refuses 257', () => {
    expect(
      codeOf(() => validateTagSet({ tags: { k: 'v'.repeat(256), e: '' }, transitiveTagKeys: [] })),
    ).toBeUndefined();
    expect(codeOf(() => validateTagSet({ tags: { k: 'v'.repeat(257) }, transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
  });

  it('refuses keys that differ only in case', () => {
    expect(codeOf(() => validateTagSet({ tags: { Team: 'a', team: 'b' }, transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
    expect(
      codeOf(() =>
        tagsFromList([
          { Key: 'Team', Value: 'a' },
          { Key: 'TEAM', Value: 'b' },
        ]),
      ),
    ).toBe('ValidationError');
  });

  it('refuses characters outside the AWS tag set and the reserved aws: prefix', () => {
    expect(codeOf(() => validateTagSet({ tags: { 'team<script>': 'a' }, transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
    expect(codeOf(() => validateTagSet({ tags: { team: 'a;b' }, transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
    expect(codeOf(() => validateTagSet({ tags: { 'aws:team': 'a' }, transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
    expect(
      codeOf(() => validateTagSet({ tags: { 'cost center:/=+-@_.': 'Zürich 1' }, transitiveTagKeys: [] })),
    ).toBeUndefined();
  });

  it('refuses a transitive key that is not a session tag', () => {
    expect(codeOf(() => validateTagSet({ tags: { team: 'a' }, transitiveTagKeys: ['project'] }))).toBe(
      'ValidationError',
    );
  });

  it('reports tags that came from the IdP as IDPRejectedClaim', () => {
    expect(
      codeOf(() => validateTagSet({ tags: manyTags(51), transitiveTagKeys: [] }, 'IDPRejectedClaim')),
    ).toBe('IDPRejectedClaim');
  });
});

describe('session tags through role chaining', () => {
  const caller = {
    tags: { team: 'payments', project: 'x', env: 'prod' },
    transitiveTagKeys: ['team', 'env'],
  };

  it('carries the transitive tags, drops the others and adds the request tags', () => {
    const result = chainedTagSet(caller, { tags: { ticket: 'T-1' }, transitiveTagKeys: ['ticket'] });
    expect(result.tags).toEqual({ team: 'payments', env: 'prod', ticket: 'T-1' });
    expect(result.transitiveTagKeys).toEqual(['team', 'env', 'ticket']);
  });

  it('refuses a request that changes an inherited transitive tag, in any case', () => {
    expect(codeOf(() => chainedTagSet(caller, { tags: { TEAM: 'red' }, transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
    expect(codeOf(() => chainedTagSet(caller, { tags: { team: 'payments' }, transitiveTagKeys: [] }))).toBe(
      'ValidationError',
    );
  });

  it('allows a request tag that reuses a non-transitive key of the caller', () => {
    expect(chainedTagSet(caller, { tags: { project: 'y' }, transitiveTagKeys: [] }).tags['project']).toBe(
      'y',
    );
  });

  it('counts inherited tags towards the 50-tag limit', () => {
    const full = { tags: manyTags(40), transitiveTagKeys: Object.keys(manyTags(40)) };
    const extra = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`new${i}`, 'v']));
    expect(codeOf(() => chainedTagSet(full, { tags: extra, transitiveTagKeys: [] }))).toBe('ValidationError');
  });
});
