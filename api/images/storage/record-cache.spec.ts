import { describe, expect, it } from 'vitest';
import { sampleImage } from '../../test/storage-fixtures';
import { RecordCache } from './record-cache';

describe(RecordCache.name, () => {
  it('never holds more than its maximum, dropping the least recently used first', () => {
    const cache = new RecordCache(3);
    const records = Array.from({ length: 10 }, () => sampleImage().record);

    for (const [index, record] of records.entries()) {
      cache.set(record.id, 'v1', record);
      expect(cache.size).toBe(Math.min(index + 1, 3));
      // Reading the first keeps it recently used, so it outlives every later one but the last two.
      expect(cache.get(records[0]!.id, 'v1')).toBe(records[0]);
    }
    const kept = records.filter(({ id }) => cache.get(id, 'v1') !== undefined);
    expect(kept).toEqual([records[0], records[8], records[9]]);
  });

  it('serves an entry only for the version it was cached under, and drops it otherwise', () => {
    const cache = new RecordCache(10);
    const { record } = sampleImage();
    cache.set(record.id, 'etag-1', record);

    expect(cache.get(record.id, 'etag-2')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.get(record.id, 'etag-1')).toBeUndefined();
  });

  it('forgets a deleted entry', () => {
    const cache = new RecordCache(10);
    const { record } = sampleImage();
    cache.set(record.id, 'v', record);

    cache.delete(record.id);

    expect(cache.get(record.id, 'v')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('counts hits and misses', () => {
    const cache = new RecordCache(10);
    const { record } = sampleImage();
    cache.get(record.id, 'v');
    cache.set(record.id, 'v', record);
    cache.get(record.id, 'v');
    cache.get(record.id, 'v');

    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 1 });
  });

  it('keeps nothing at size 0', () => {
    const cache = new RecordCache(0);
    const { record } = sampleImage();
    cache.set(record.id, 'v', record);

    expect(cache.enabled).toBe(false);
    expect(cache.get(record.id, 'v')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('freezes what it shares, so no caller can change the record for the others', () => {
    const cache = new RecordCache(10);
    const { record } = sampleImage();
    cache.set(record.id, 'v', record);

    expect(Object.isFrozen(cache.get(record.id, 'v'))).toBe(true);
  });
});
