import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../src/authorizer/bounded-cache.js';

describe('bounded credential cache', () => {
  it('never holds more than its capacity: the least recently used entry goes first', () => {
    const cache = new BoundedCache<number>(2);
    cache.set('a', 1, 1000);
    cache.set('b', 2, 1000);
    cache.get('a', 0);
    cache.set('c', 3, 1000);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBe(1);
    expect(cache.get('c', 0)).toBe(3);
  });

  it('recency is refreshed at most once a second per entry, so eviction order is exact up to a second', () => {
    const cache = new BoundedCache<number>(2);
    cache.set('a', 1, 10_000);
    cache.set('b', 2, 10_000);
    cache.get('a', 0); // first use: a becomes the most recent
    cache.get('b', 10); // then b
    cache.get('a', 500); // within a second of a's last refresh: the order stays (b most recent)
    cache.set('c', 3, 10_000);
    expect(cache.get('a', 600)).toBeUndefined();
    expect(cache.get('b', 600)).toBe(2);
    cache.get('b', 1_010); // a second after b's last refresh: b becomes the most recent again
    cache.set('d', 4, 10_000);
    expect(cache.get('c', 1_100)).toBeUndefined();
    expect(cache.get('b', 1_100)).toBe(2);
    expect(cache.get('d', 1_100)).toBe(4);
  });

  it('an expired entry is never returned', () => {
    const cache = new BoundedCache<number>(10);
    cache.set('a', 1, 100);
    expect(cache.get('a', 99)).toBe(1);
    expect(cache.get('a', 100)).toBeUndefined();
  });

  it('deleteWhere drops the matching entries only', () => {
    const cache = new BoundedCache<{ role: string }>(10);
    cache.set('a', { role: 'Dev' }, 1000);
    cache.set('b', { role: 'Ops' }, 1000);
    cache.deleteWhere((v) => v.role === 'Dev');
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('b', 0)).toEqual({ role: 'Ops' });
  });
});
