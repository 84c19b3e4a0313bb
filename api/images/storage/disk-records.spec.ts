import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunked, readAll, sampleImage, sampleVariant } from '../../test/storage-fixtures';
import type { ImageRecord } from '../image-record';
import { DiskImageStorage } from './disk.image-storage';
import type { VariantRecord } from '../variants/variant-record';
import { RecordCache } from './record-cache';

// Two adapters on one directory stand for two processes sharing a volume, each with its own cache.
describe(`${DiskImageStorage.name} with a record cache`, () => {
  let root: string;
  let cache: RecordCache;
  let storage: DiskImageStorage;
  let variantCache: RecordCache<VariantRecord>;
  let other: DiskImageStorage;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'imagestore-disk-cache-'));
    cache = new RecordCache(100);
    variantCache = new RecordCache<VariantRecord>(100);
    storage = new DiskImageStorage(root, { recordCache: cache, variantRecordCache: variantCache });
    other = new DiskImageStorage(root, { recordCache: new RecordCache(100) });
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  async function stored(count: number): Promise<ImageRecord[]> {
    const records = Array.from({ length: count }, (_, index) => sampleImage({ originalName: `${index}.png` }));
    for (const { record, bytes } of records) await storage.put(record, chunked(bytes));
    return records.map(({ record }) => record);
  }

  /** Rewritten behind the adapters' backs, as an operator or another version might: new inode, new mtime. */
  async function replaceMetadata(record: ImageRecord): Promise<void> {
    const file = join(root, record.id, 'metadata.json');
    await writeFile(`${file}.new`, JSON.stringify(record));
    await rename(`${file}.new`, file);
  }

  it('reads a record once, then serves it from the cache to head, open and list', async () => {
    const [record] = await stored(1);

    expect(await storage.head(record!.id)).toEqual(record);
    const opened = await storage.open(record!.id);
    expect(opened?.record).toEqual(record);
    await readAll(opened!.body);
    expect((await storage.list({ limit: 10 })).items).toEqual([record]);

    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 1 });
  });

  it('evicts a record on delete', async () => {
    const [record] = await stored(1);
    await storage.head(record!.id);
    expect(cache.size).toBe(1);

    expect(await storage.delete(record!.id)).toBe(true);

    expect(cache.size).toBe(0);
    expect(await storage.head(record!.id)).toBeUndefined();
  });

  it('never holds more records than its maximum, and still answers every one', async () => {
    cache = new RecordCache(3);
    storage = new DiskImageStorage(root, { recordCache: cache });
    const records = await stored(8);

    for (let pass = 0; pass < 2; pass++) {
      expect((await storage.list({ limit: 8 })).items).toEqual(records);
      expect(cache.size).toBe(3);
      for (const record of records) {
        expect(await storage.head(record.id)).toEqual(record);
        expect(cache.size).toBeLessThanOrEqual(3);
      }
    }
  });

  it('serves nothing of an image another process deleted', async () => {
    const [kept, deleted] = await stored(2);
    expect((await storage.list({ limit: 10 })).items).toEqual([kept, deleted]);

    expect(await other.delete(deleted!.id)).toBe(true);

    expect(await storage.head(deleted!.id)).toBeUndefined();
    expect(await storage.open(deleted!.id)).toBeUndefined();
    expect((await storage.list({ limit: 10 })).items).toEqual([kept]);
    expect(cache.size).toBe(1);
  });

  it('serves the new record of an image whose metadata was replaced behind its back', async () => {
    const [record] = await stored(1);
    await storage.head(record!.id);
    const replaced = { ...record!, originalName: 'renamed.png' };

    await replaceMetadata(replaced);

    expect(await storage.head(record!.id)).toEqual(replaced);
    expect((await storage.list({ limit: 10 })).items).toEqual([replaced]);
  });

  it('reads every time with the cache off', async () => {
    storage = new DiskImageStorage(root);
    const [record] = await stored(1);
    await storage.head(record!.id);

    await replaceMetadata({ ...record!, originalName: 'renamed.png' });

    expect((await storage.head(record!.id))?.originalName).toBe('renamed.png');
  });

  it("serves a variant's record from its cache, and never one whose image another process deleted", async () => {
    const [record] = await stored(1);
    const { record: variant, bytes } = sampleVariant('thumb.webp');
    expect(await storage.putVariant(record!.id, variant, chunked(bytes))).toBe(true);

    expect(await storage.headVariant(record!.id, 'thumb.webp')).toEqual(variant);
    const opened = await storage.openVariant(record!.id, 'thumb.webp');
    expect(opened?.record).toEqual(variant);
    await readAll(opened!.body);
    expect({ hits: variantCache.hits, misses: variantCache.misses }).toEqual({ hits: 1, misses: 1 });

    expect(await other.delete(record!.id)).toBe(true);

    expect(await storage.headVariant(record!.id, 'thumb.webp')).toBeUndefined();
    expect(await storage.openVariant(record!.id, 'thumb.webp')).toBeUndefined();
    expect(variantCache.size).toBe(0);
  });
});
