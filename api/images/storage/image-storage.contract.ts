import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunked, failingMidway, readAll, sampleImage, sampleVariant, sha256 } from '../../test/storage-fixtures';
import type { ImageRecord } from '../image-record';
import type { IdempotencyRecord, ImageStorage } from '../image-storage';

export { chunked, failingMidway, readAll, sampleImage, sampleVariant, sha256 };

export interface ImageStorageUnderTest {
  readonly storage: ImageStorage;
  /** Every file or object the adapter holds, seen behind its back: "nothing left" means this is empty. */
  storedObjects(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/**
 * What every ImageStorage adapter must do, whatever is behind it. `factory` is called before each test and must
 * return an empty store; `cleanup` runs after it. Bytes need not be real images: adapters never look inside.
 */
export function describeImageStorageContract(name: string, factory: () => Promise<ImageStorageUnderTest>): void {
  describe(`${name} (ImageStorage contract)`, () => {
    let subject: ImageStorageUnderTest;
    let storage: ImageStorage;

    beforeEach(async () => {
      subject = await factory();
      storage = subject.storage;
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('returns the stored record and bytes from head and open', async () => {
      const { record, bytes } = sampleImage({ size: 150_000 });

      await storage.put(record, chunked(bytes));

      expect(await storage.head(record.id)).toEqual(record);
      const opened = await storage.open(record.id);
      expect(opened?.record).toEqual(record);
      expect(sha256(await readAll(opened!.body))).toBe(record.sha256);
      expect(sha256(await readAll((await storage.openBytes(record.id))!))).toBe(record.sha256);
    });

    it('keeps a null original name null', async () => {
      const { record, bytes } = sampleImage({ originalName: null });

      await storage.put(record, chunked(bytes));

      expect((await storage.head(record.id))?.originalName).toBeNull();
    });

    it('serves an inclusive byte range', async () => {
      const { record, bytes } = sampleImage({ size: 100_000 });
      await storage.put(record, chunked(bytes));

      const slice = await readAll((await storage.openBytes(record.id, { start: 1000, end: 70_999 }))!);

      expect(slice.length).toBe(70_000);
      expect(sha256(slice)).toBe(sha256(bytes.subarray(1000, 71_000)));
    });

    it('serves single-byte ranges at both ends', async () => {
      const { record, bytes } = sampleImage({ size: 10 });
      await storage.put(record, chunked(bytes));

      const first = await storage.openBytes(record.id, { start: 0, end: 0 });
      const last = await storage.openBytes(record.id, { start: 9, end: 9 });

      expect(await readAll(first!)).toEqual(bytes.subarray(0, 1));
      expect(await readAll(last!)).toEqual(bytes.subarray(9, 10));
    });

    it('answers undefined or false for an id that was never stored', async () => {
      const id = uuidv7();

      expect(await storage.head(id)).toBeUndefined();
      expect(await storage.open(id)).toBeUndefined();
      expect(await storage.openBytes(id, { start: 0, end: 0 })).toBeUndefined();
      expect(await storage.delete(id)).toBe(false);
    });

    it('deletes once: true, then false, and the image is gone', async () => {
      const { record, bytes } = sampleImage();
      await storage.put(record, chunked(bytes));

      expect(await storage.delete(record.id)).toBe(true);
      expect(await storage.delete(record.id)).toBe(false);
      expect(await storage.head(record.id)).toBeUndefined();
      expect(await storage.open(record.id)).toBeUndefined();
      expect((await storage.list({ limit: 10 })).items).toEqual([]);
    });

    it('lists nothing, without a token, when empty', async () => {
      expect(await storage.list({ limit: 10 })).toEqual({ items: [] });
    });

    it('lists in ascending id order, page by page, until the token runs out', async () => {
      const samples = Array.from({ length: 11 }, () => sampleImage({ size: 64 }));
      // Stored out of order, so the adapter has to do the ordering.
      for (const { record, bytes } of shuffle(samples)) await storage.put(record, chunked(bytes));
      const expected = samples.map(({ record }) => record).sort((a, b) => (a.id < b.id ? -1 : 1));

      const seen: ImageRecord[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await storage.list({ limit: 4, ...(token ? { continuationToken: token } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items);
        token = page.continuationToken;
        pages += 1;
        expect(pages).toBeLessThan(10);
      } while (token);

      expect(pages).toBe(3);
      expect(seen).toEqual(expected);
    });

    it('returns a whole listing in one page when the limit allows', async () => {
      const samples = Array.from({ length: 3 }, () => sampleImage({ size: 16 }));
      for (const { record, bytes } of samples) await storage.put(record, chunked(bytes));

      const page = await storage.list({ limit: 3 });

      expect(page.items.map((item) => item.id)).toEqual(samples.map(({ record }) => record.id).sort());
      if (page.continuationToken !== undefined) {
        // Allowed (S3 cannot know a full page was the last), but the next page must then be empty.
        expect(await storage.list({ limit: 3, continuationToken: page.continuationToken })).toEqual({ items: [] });
      }
    });

    it('leaves nothing readable or listable when the body fails midway', async () => {
      const { record, bytes } = sampleImage({ size: 200_000 });
      const failure = new Error('client went away');

      await expect(storage.put(record, failingMidway(bytes, failure))).rejects.toThrow();

      expect(await storage.head(record.id)).toBeUndefined();
      expect(await storage.open(record.id)).toBeUndefined();
      expect((await storage.list({ limit: 10 })).items).toEqual([]);
      // And the id is still free for a clean retry.
      await storage.put(record, chunked(bytes));
      expect(await storage.head(record.id)).toEqual(record);
    });

    it('is ready', async () => {
      await expect(storage.checkReady()).resolves.toBeUndefined();
    });

    it('deletes one id once when several DELETEs race: exactly one true', async () => {
      const { record, bytes } = sampleImage();
      await storage.put(record, chunked(bytes));

      const results = await Promise.all([1, 2, 3].map(() => storage.delete(record.id)));

      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await storage.head(record.id)).toBeUndefined();
    });

    describe('idempotency keys', () => {
      const keyHash = () => sha256(Buffer.from(uuidv7()));
      const claimFor = (imageId: string, overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
        imageId,
        fingerprint: 'f'.repeat(64),
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
        inFlightUntil: new Date(Date.now() + 30_000).toISOString(),
        ...overrides,
      });

      it('claims a free key once, and finds the record with its image once that is stored', async () => {
        const hash = keyHash();
        const { record, bytes } = sampleImage();
        expect(await storage.findIdempotencyKey(hash)).toBeUndefined();

        expect(await storage.claimIdempotencyKey(hash, claimFor(record.id))).toBe(true);
        expect(await storage.claimIdempotencyKey(hash, claimFor(uuidv7()))).toBe(false);

        const inFlight = await storage.findIdempotencyKey(hash);
        expect(inFlight?.record).toEqual(
          claimFor(record.id, { expiresAt: inFlight!.record.expiresAt, inFlightUntil: inFlight!.record.inFlightUntil }),
        );
        expect(inFlight?.image).toBeUndefined();
        await storage.put(record, chunked(bytes));
        expect((await storage.findIdempotencyKey(hash))?.image).toEqual(record);
        // Keys live beside the images but never show up as images.
        expect((await storage.list({ limit: 10 })).items).toEqual([record]);
      });

      it('lets exactly one of several concurrent claims win', async () => {
        const hash = keyHash();
        const results = await Promise.all(
          Array.from({ length: 5 }, () => storage.claimIdempotencyKey(hash, claimFor(uuidv7()))),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('replaces a record only at the version read, once', async () => {
        const hash = keyHash();
        await storage.claimIdempotencyKey(hash, claimFor(uuidv7()));
        const first = await storage.findIdempotencyKey(hash);
        const replacement = uuidv7();

        const results = await Promise.all(
          [replacement, uuidv7(), uuidv7()].map((id) =>
            storage.claimIdempotencyKey(hash, claimFor(id), first!.version),
          ),
        );

        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = (await storage.findIdempotencyKey(hash))!;
        expect(winner.version).not.toBe(first!.version);
        expect(await storage.claimIdempotencyKey(hash, claimFor(uuidv7()), first!.version)).toBe(false);
      });

      it('frees a released key', async () => {
        const hash = keyHash();
        await storage.claimIdempotencyKey(hash, claimFor(uuidv7()));

        await storage.releaseIdempotencyKey(hash);

        expect(await storage.findIdempotencyKey(hash)).toBeUndefined();
        expect(await storage.claimIdempotencyKey(hash, claimFor(uuidv7()))).toBe(true);
      });

      it('keeps unexpired keys through a sweep', async () => {
        const hash = keyHash();
        await storage.claimIdempotencyKey(hash, claimFor(uuidv7()));

        expect((await storage.sweep()).expiredKeys).toBe(0);

        expect(await storage.findIdempotencyKey(hash)).toBeDefined();
      });
    });

    describe('variants', () => {
      it('stores a named variant beside its image and returns its record and bytes', async () => {
        const { record } = await storedImage();
        const thumb = sampleVariant('thumb.webp', { size: 40_000 });

        expect(await storage.putVariant(record.id, thumb.record, chunked(thumb.bytes))).toBe(true);

        expect(await storage.headVariant(record.id, 'thumb.webp')).toEqual(thumb.record);
        const opened = await storage.openVariant(record.id, 'thumb.webp');
        expect(opened?.record).toEqual(thumb.record);
        expect(sha256(await readAll(opened!.body))).toBe(thumb.record.sha256);
        const slice = await readAll((await storage.openVariantBytes(record.id, 'thumb.webp', { start: 5, end: 9 }))!);
        expect(slice).toEqual(thumb.bytes.subarray(5, 10));
        // The original is untouched.
        expect(await storage.head(record.id)).toEqual(record);
      });

      it('keeps variants apart by name and by image', async () => {
        const a = await storedImage();
        const b = await storedImage();
        const webp = sampleVariant('thumb.webp');
        const avif = sampleVariant('thumb.avif', { contentType: 'image/avif' });
        await storage.putVariant(a.record.id, webp.record, chunked(webp.bytes));
        await storage.putVariant(a.record.id, avif.record, chunked(avif.bytes));

        expect(await storage.headVariant(a.record.id, 'thumb.webp')).toEqual(webp.record);
        expect(await storage.headVariant(a.record.id, 'thumb.avif')).toEqual(avif.record);
        expect(await storage.headVariant(a.record.id, 'small.webp')).toBeUndefined();
        expect(await storage.headVariant(b.record.id, 'thumb.webp')).toBeUndefined();
        expect(await storage.openVariant(b.record.id, 'thumb.webp')).toBeUndefined();
        expect(await storage.openVariantBytes(b.record.id, 'thumb.webp')).toBeUndefined();
      });

      it('never lists a variant', async () => {
        const { record } = await storedImage();
        for (const name of ['thumb.webp', 'thumb.avif', 'large.png']) {
          const variant = sampleVariant(name);
          await storage.putVariant(record.id, variant.record, chunked(variant.bytes));
        }

        expect(await storage.list({ limit: 10 })).toEqual({ items: [record] });
      });

      it('replaces a variant of the same name, leaving one copy', async () => {
        const { record } = await storedImage();
        const first = sampleVariant('thumb.webp');
        const second = sampleVariant('thumb.webp');
        await storage.putVariant(record.id, first.record, chunked(first.bytes));
        const before = await subject.storedObjects();

        await storage.putVariant(record.id, second.record, chunked(second.bytes));

        expect(await subject.storedObjects()).toEqual(before);
        const stored = await storage.openVariant(record.id, 'thumb.webp');
        const bytes = await readAll(stored!.body);
        // Whichever copy stands, its record and bytes belong together.
        expect(sha256(bytes)).toBe(stored!.record.sha256);
        expect([first.record.sha256, second.record.sha256]).toContain(stored!.record.sha256);
      });

      it('deletes every variant with its image, leaving nothing at all', async () => {
        const { record, bytes } = await storedImage();
        for (const name of ['thumb.webp', 'thumb.avif', 'small.jpg']) {
          const variant = sampleVariant(name);
          await storage.putVariant(record.id, variant.record, chunked(variant.bytes));
        }

        expect(await storage.delete(record.id)).toBe(true);

        expect(await storage.headVariant(record.id, 'thumb.webp')).toBeUndefined();
        expect(await storage.openVariant(record.id, 'thumb.avif')).toBeUndefined();
        expect(await subject.storedObjects()).toEqual([]);
        // Storing the image again brings back none of them.
        await storage.put(record, chunked(bytes));
        expect(await storage.headVariant(record.id, 'thumb.webp')).toBeUndefined();
      });

      it('refuses a variant of an image that does not exist, or no longer does, and stores nothing', async () => {
        const variant = sampleVariant('thumb.webp');
        expect(await storage.putVariant(uuidv7(), variant.record, chunked(variant.bytes))).toBe(false);

        const { record } = await storedImage();
        await storage.delete(record.id);
        expect(await storage.putVariant(record.id, variant.record, chunked(variant.bytes))).toBe(false);

        expect(await storage.headVariant(record.id, 'thumb.webp')).toBeUndefined();
        expect(await subject.storedObjects()).toEqual([]);
      });

      it('leaves no variant when its body fails midway', async () => {
        const { record } = await storedImage();
        const variant = sampleVariant('thumb.webp', { size: 200_000 });
        const before = await subject.storedObjects();

        await expect(
          storage.putVariant(record.id, variant.record, failingMidway(variant.bytes, new Error('encoder died'))),
        ).rejects.toThrow();

        expect(await storage.headVariant(record.id, 'thumb.webp')).toBeUndefined();
        expect(await subject.storedObjects()).toEqual(before);
      });

      it('refuses names that are not a preset and a known extension', async () => {
        const { record } = await storedImage();
        for (const name of ['../metadata.json', 'thumb', 'thumb.exe', 'Thumb.webp', `${'a'.repeat(33)}.png`]) {
          expect(await storage.headVariant(record.id, name), name).toBeUndefined();
          expect(await storage.openVariant(record.id, name), name).toBeUndefined();
          const variant = sampleVariant('thumb.webp');
          await expect(
            storage.putVariant(record.id, { ...variant.record, name }, chunked(variant.bytes)),
          ).rejects.toThrow('not a variant address');
        }
        expect(await storage.headVariant('not-an-id', 'thumb.webp')).toBeUndefined();
      });
    });

    async function storedImage() {
      const sample = sampleImage();
      await storage.put(sample.record, chunked(sample.bytes));
      return sample;
    }
  });
}

function shuffle<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
