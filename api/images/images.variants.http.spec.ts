import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import sharp from 'sharp';
import request from 'supertest';
import { thumbHashToApproximateAspectRatio, thumbHashToRGBA } from 'thumbhash';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { binaryBody } from '../test/binary-body';
import { imageFixtures } from '../test/image-fixtures';
import { createTestApp, type TestApp } from '../test/test-app';
import { ImageProcessor } from './image-processor';
import { ImageStorage } from './image-storage';
import type { ProcessingSlots } from './processing-slots';

const signedVariantLink = (id: string, preset: string) =>
  expect.stringMatching(new RegExp(`^/signed/images/${id}/variants/${preset}\\?expires=\\d+&signature=[\\w-]+$`));

const CHROME_ACCEPT = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('image variants (disk)', () => {
  let t: TestApp;
  let processor: ImageProcessor;
  let storage: ImageStorage;

  beforeAll(async () => {
    t = await createTestApp();
    processor = t.app.get(ImageProcessor);
    storage = t.app.get(ImageStorage);
  });
  afterAll(() => t.close());
  afterEach(() => vi.restoreAllMocks());

  const upload = async (bytes: Buffer, name = 'photo.jpg') => {
    const response = await request(t.server).post('/images').attach('file', bytes, name);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as {
      id: string;
      width: number;
      height: number;
      placeholder: string;
      variants: Record<string, { width: number; height: number }>;
      links: { variants: Record<string, string> };
    };
  };
  const get = (path: string, headers: Record<string, string> = {}) => {
    const req = request(t.server).get(path).buffer(true).parse(binaryBody);
    for (const [name, value] of Object.entries(headers)) req.set(name, value);
    return req;
  };
  const variantFiles = async (id: string) =>
    (await t.storedFiles()).filter((file) => file.startsWith(`${id}/variants/`));

  describe('metadata', () => {
    it('links every preset, gives each variant’s size for srcset, and a ThumbHash placeholder', async () => {
      const image = await upload(await imageFixtures.jpeg(3000, 2000));
      // Capability URLs, one per preset (their signatures: links/variant-links.http.spec.ts).
      expect(image.links.variants).toEqual(
        Object.fromEntries(
          ['thumb', 'small', 'medium', 'large'].map((preset) => [preset, signedVariantLink(image.id, preset)]),
        ),
      );
      expect(image.variants).toEqual({
        thumb: { width: 256, height: 171 },
        small: { width: 640, height: 427 },
        medium: { width: 1280, height: 853 },
        large: { width: 2048, height: 1365 },
      });
      // The sizes announced are the sizes served.
      for (const [preset, size] of Object.entries(image.variants)) {
        const response = await get(`${image.links.variants[preset]}&format=webp`);
        const { width, height } = await sharp(response.body).metadata();
        expect({ width, height }, preset).toEqual(size);
      }
      const hash = Buffer.from(image.placeholder, 'base64');
      expect(hash.length).toBeLessThanOrEqual(30);
      expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(1.5, 0);
      // A blue image's placeholder is blue.
      const { rgba } = thumbHashToRGBA(hash);
      expect(rgba[2]).toBeGreaterThan(rgba[0]);
      const listed = (await request(t.server).get('/images?limit=100')).body.items.find(
        (item: { id: string }) => item.id === image.id,
      );
      expect(listed).toMatchObject({ placeholder: image.placeholder, variants: image.variants, links: image.links });
    });

    it('matches sharp’s rounding for portrait, square and odd shapes', async () => {
      for (const [width, height] of [
        [999, 1999],
        [300, 300],
        [257, 100],
        [17, 4000],
      ]) {
        const image = await upload(await imageFixtures.png(width, height), 'shape.png');
        const response = await get(`${image.links.variants.thumb}&format=png`);
        const actual = await sharp(response.body).metadata();
        expect({ width: actual.width, height: actual.height }, `${width}×${height}`).toEqual(image.variants.thumb);
      }
    });
  });

  describe('GET /images/:id/variants/:preset', () => {
    let photo: Awaited<ReturnType<typeof upload>>;

    beforeAll(async () => {
      photo = await upload(await imageFixtures.jpeg(1200, 900));
    });

    it('serves a representation of its own: type, ETag of its bytes, length, caching and safety headers', async () => {
      const response = await get(`/images/${photo.id}/variants/small`, { Accept: CHROME_ACCEPT });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('image/avif');
      expect(response.headers.etag).toBe(`"${sha256(response.body)}"`);
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
      expect(response.headers['cache-control']).toBe('private, max-age=31536000, immutable');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
      expect(response.headers['content-disposition']).toBe(`inline; filename=${photo.id}-small.avif`);
      expect(response.headers['accept-ranges']).toBe('bytes');
      expect(new Date(response.headers['last-modified']).getTime()).not.toBeNaN();
      expect(response.headers.vary).toMatch(/\bAccept\b/);
      const metadata = await sharp(response.body).metadata();
      expect([metadata.format, metadata.width, metadata.height]).toEqual(['heif', 640, 480]);
      expect(response.body.length).toBeLessThan(photo.width * photo.height);
    });

    it.each([
      ['a browser that takes AVIF', CHROME_ACCEPT, 'image/avif'],
      ['no Accept at all', undefined, 'image/jpeg'],
      ['only wildcards (curl, old clients)', '*/*, image/*', 'image/jpeg'],
      ['WebP only', 'image/webp', 'image/webp'],
      ['AVIF refused with q=0', 'image/avif;q=0, image/webp, image/*', 'image/webp'],
      ['AVIF and WebP refused', 'image/avif;q=0, image/webp;q=0, */*', 'image/jpeg'],
      ['nothing we make', 'text/html', 'image/jpeg'],
    ])('negotiates from Accept: %s', async (_name, accept, contentType) => {
      const response = await get(`/images/${photo.id}/variants/thumb`, accept ? { Accept: accept } : {});
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(contentType);
      expect(response.headers.vary).toMatch(/\bAccept\b/);
    });

    it('falls back to PNG for PNG and GIF originals', async () => {
      for (const bytes of [await imageFixtures.png(), await imageFixtures.gif()]) {
        const image = await upload(bytes, 'x.png');
        const response = await get(`/images/${image.id}/variants/thumb`, { Accept: 'image/jpeg, image/png' });
        expect(response.headers['content-type']).toBe('image/png');
      }
    });

    it.each([
      ['avif', 'image/avif', 'heif'],
      ['webp', 'image/webp', 'webp'],
      ['jpeg', 'image/jpeg', 'jpeg'],
      ['png', 'image/png', 'png'],
    ])('serves ?format=%s whatever Accept says, without Vary: Accept', async (format, contentType, sharpFormat) => {
      const response = await get(`/images/${photo.id}/variants/thumb?format=${format}`, { Accept: 'image/gif' });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(contentType);
      expect(response.headers.vary ?? '').not.toMatch(/\bAccept\b/);
      expect((await sharp(response.body).metadata()).format).toBe(sharpFormat);
    });

    it('never enlarges', async () => {
      const small = await upload(await imageFixtures.png(64, 48), 'small.png');
      const response = await get(`/images/${small.id}/variants/large?format=png`);
      const { width, height } = await sharp(response.body).metadata();
      expect([width, height]).toEqual([64, 48]);
      expect(small.variants.large).toEqual({ width: 64, height: 48 });
    });

    it('is upright: EXIF orientation was applied at upload', async () => {
      const rotated = await upload(await imageFixtures.jpegWithGpsAndOrientation());
      const response = await get(`/images/${rotated.id}/variants/thumb?format=jpeg`);
      const metadata = await sharp(response.body).metadata();
      expect([metadata.width, metadata.height]).toEqual([20, 40]);
      expect(metadata.exif).toBeUndefined();
    });

    it('keeps an animation as animated WebP and takes the first frame for other formats', async () => {
      const animated = await upload(await imageFixtures.animatedGif(600, 400), 'moving.gif');
      const negotiated = await get(`/images/${animated.id}/variants/thumb`, { Accept: CHROME_ACCEPT });
      expect(negotiated.headers['content-type']).toBe('image/webp');
      const webp = await sharp(negotiated.body).metadata();
      expect([webp.pages, webp.width, webp.height]).toEqual([3, 256, 171]);
      expect(animated.variants.thumb).toEqual({ width: 256, height: 171 });
      for (const format of ['avif', 'png', 'jpeg']) {
        const still = await get(`/images/${animated.id}/variants/thumb?format=${format}`);
        const { pages = 1, width } = await sharp(still.body).metadata();
        expect([pages, width], format).toEqual([1, 256]);
        // The first frame is the red one.
        const { data } = await sharp(still.body).raw().toBuffer({ resolveWithObject: true });
        expect(data[0], format).toBeGreaterThan(200);
      }
    });

    describe('conditional and ranged requests, as on /content', () => {
      const path = () => `/images/${photo.id}/variants/medium?format=webp`;
      let body: Buffer;
      let etag: string;
      let lastModified: string;

      beforeAll(async () => {
        const response = await get(path());
        body = response.body;
        etag = response.headers.etag;
        lastModified = response.headers['last-modified'];
      });

      it('answers a matching If-None-Match or If-Modified-Since with 304 and the same validators', async () => {
        const validators: Record<string, string>[] = [{ 'If-None-Match': etag }, { 'If-Modified-Since': lastModified }];
        for (const headers of validators) {
          const response = await get(path(), headers);
          expect(response.status).toBe(304);
          expect(response.headers.etag).toBe(etag);
          expect(response.body.length).toBe(0);
        }
      });

      it('answers a failed If-Match with 412 PRECONDITION_FAILED', async () => {
        const response = await request(t.server).get(path()).set('If-Match', '"something-else"');
        expect(response.status).toBe(412);
        expect(response.body.code).toBe('PRECONDITION_FAILED');
        expect((await get(path(), { 'If-Match': etag })).status).toBe(200);
      });

      it('serves a single range with 206, and 416 past the end', async () => {
        const partial = await get(path(), { Range: 'bytes=10-99' });
        expect(partial.status).toBe(206);
        expect(partial.headers['content-range']).toBe(`bytes 10-99/${body.length}`);
        expect(partial.body).toEqual(body.subarray(10, 100));
        const past = await request(t.server)
          .get(path())
          .set('Range', `bytes=${body.length + 10}-`);
        expect(past.status).toBe(416);
        expect(past.headers['content-range']).toBe(`bytes */${body.length}`);
        expect(past.body.code).toBe('RANGE_NOT_SATISFIABLE');
      });

      it('answers HEAD with the headers and no body', async () => {
        const response = await request(t.server).head(path());
        expect(response.status).toBe(200);
        expect(response.headers.etag).toBe(etag);
        expect(Number(response.headers['content-length'])).toBe(body.length);
        expect(response.headers['content-type']).toBe('image/webp');
      });

      it('serves a range of a variant its very first request makes', async () => {
        const first = await get(`/images/${photo.id}/variants/large?format=png`, { Range: 'bytes=0-7' });
        expect(first.status).toBe(206);
        expect(first.body).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        const whole = await get(`/images/${photo.id}/variants/large?format=png`);
        expect(first.headers['content-range']).toBe(`bytes 0-7/${whole.body.length}`);
      });

      it('makes a variant from HEAD too, and GET then serves what HEAD described', async () => {
        const head = await request(t.server).head(`/images/${photo.id}/variants/small?format=jpeg`);
        expect(head.status).toBe(200);
        const response = await get(`/images/${photo.id}/variants/small?format=jpeg`);
        expect(response.headers.etag).toBe(head.headers.etag);
        expect(response.body.length).toBe(Number(head.headers['content-length']));
      });
    });

    it('makes a variant once, then streams the stored bytes without decoding anything', async () => {
      const image = await upload(await imageFixtures.jpeg(800, 600));
      const made = vi.spyOn(processor, 'makeVariant');
      const first = await get(`/images/${image.id}/variants/small?format=webp`);
      const second = await get(`/images/${image.id}/variants/small?format=webp`);
      expect(made).toHaveBeenCalledTimes(1);
      expect(second.body).toEqual(first.body);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(await variantFiles(image.id)).toContain(`${image.id}/variants/small.webp/content`);
    });

    it('gives two concurrent first requests the same bytes and stores one copy', async () => {
      const image = await upload(await imageFixtures.jpeg(1600, 1200));
      const made = vi.spyOn(processor, 'makeVariant');
      const [a, b] = await Promise.all([
        get(`/images/${image.id}/variants/medium?format=avif`),
        get(`/images/${image.id}/variants/medium?format=avif`),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body).toEqual(b.body);
      expect(a.headers.etag).toBe(b.headers.etag);
      expect(made).toHaveBeenCalledTimes(1);
      expect((await variantFiles(image.id)).filter((file) => file.includes('medium.avif'))).toEqual([
        `${image.id}/variants/medium.avif/content`,
        `${image.id}/variants/medium.avif/metadata.json`,
      ]);
    });

    it.each([
      ['an unknown format', '?format=gif'],
      ['a repeated format', '?format=webp&format=png'],
      ['an empty format', '?format='],
      ['an unknown parameter', '?width=100'],
    ])('refuses %s with 400 VALIDATION_FAILED, storing nothing', async (_name, query) => {
      const before = await variantFiles(photo.id);
      const response = await request(t.server).get(`/images/${photo.id}/variants/thumb${query}`);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(await variantFiles(photo.id)).toEqual(before);
    });

    it('answers an unknown preset with 404 VARIANT_NOT_FOUND, and an unknown image with IMAGE_NOT_FOUND', async () => {
      for (const query of ['', '?format=webp']) {
        const preset = await request(t.server).get(`/images/${photo.id}/variants/huge${query}`);
        expect(preset.status).toBe(404);
        expect(preset.body.code).toBe('VARIANT_NOT_FOUND');
        const image = await request(t.server).get(
          `/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f/variants/thumb${query}`,
        );
        expect(image.status).toBe(404);
        expect(image.body.code).toBe('IMAGE_NOT_FOUND');
      }
      const malformed = await request(t.server).get('/images/..%2F..%2Fetc/variants/thumb');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('INVALID_IMAGE_ID');
      const traversal = await request(t.server).get(`/images/${photo.id}/variants/..%2Fmetadata.json`);
      expect(traversal.body.code).toBe('VARIANT_NOT_FOUND');
    });
  });

  describe('with the image', () => {
    it('makes the eager preset at upload, so the first thumbnail request decodes nothing', async () => {
      const made = vi.spyOn(processor, 'makeVariant');
      const image = await upload(await imageFixtures.jpeg(900, 600));
      expect(made).toHaveBeenCalledTimes(1);
      expect(await variantFiles(image.id)).toEqual([
        `${image.id}/variants/thumb.avif/content`,
        `${image.id}/variants/thumb.avif/metadata.json`,
      ]);
      made.mockClear();
      const response = await get(image.links.variants.thumb, { Accept: CHROME_ACCEPT });
      expect(response.headers['content-type']).toBe('image/avif');
      expect(made).not.toHaveBeenCalled();
    });

    it('stores an upload whose eager variant fails, logs it, and makes the variant on first request', async () => {
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      vi.spyOn(processor, 'makeVariant').mockRejectedValueOnce(new Error('encoder crashed'));
      const image = await upload(await imageFixtures.jpeg(900, 600));
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ imageId: image.id, variant: 'thumb.avif' }),
        expect.stringContaining('eager variant failed'),
      );
      expect(await variantFiles(image.id)).toEqual([]);
      const response = await get(image.links.variants.thumb, { Accept: CHROME_ACCEPT });
      expect(response.status).toBe(200);
      expect(await variantFiles(image.id)).toHaveLength(2);
    });

    it('deletes every variant with its image', async () => {
      const image = await upload(await imageFixtures.jpeg(900, 600));
      await get(`/images/${image.id}/variants/small?format=webp`);
      await get(`/images/${image.id}/variants/medium?format=png`);
      expect(await variantFiles(image.id)).toHaveLength(6);
      expect((await request(t.server).delete(`/images/${image.id}`)).status).toBe(204);
      expect((await t.storedFiles()).filter((file) => file.includes(image.id))).toEqual([]);
      expect((await request(t.server).get(`/images/${image.id}/variants/small?format=webp`)).status).toBe(404);
    });

    it('leaves no variant behind when the image is deleted while its variant is being written', async () => {
      const image = await upload(await imageFixtures.jpeg(900, 600));
      // Hold the variant's write until the delete has finished: the worst moment for the delete to happen.
      let writing!: () => void;
      const writeStarted = new Promise<void>((resolve) => (writing = resolve));
      let deleted!: () => void;
      const deleteFinished = new Promise<void>((resolve) => (deleted = resolve));
      const putVariant = storage.putVariant.bind(storage);
      vi.spyOn(storage, 'putVariant').mockImplementation(async (...args) => {
        writing();
        await deleteFinished;
        return putVariant(...args);
      });

      const variant = get(`/images/${image.id}/variants/large?format=webp`).then((response) => response);
      await writeStarted;
      expect((await request(t.server).delete(`/images/${image.id}`)).status).toBe(204);
      deleted();

      const response = await variant;
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body.toString()).code).toBe('IMAGE_NOT_FOUND');
      expect((await t.storedFiles()).filter((file) => file.includes(image.id))).toEqual([]);
    });
  });
});

describe('image variants under load', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      MAX_CONCURRENT_PROCESSING: '1',
      PROCESSING_QUEUE_TIMEOUT_MS: '50',
      IMAGE_VARIANTS: 'tiny:32,card:300',
      IMAGE_VARIANTS_EAGER: 'none',
    });
  });
  afterAll(() => t.close());

  it('shares the upload’s processing slots: 503 SERVER_BUSY with Retry-After when none frees up', async () => {
    const created = await request(t.server)
      .post('/images')
      .attach('file', await imageFixtures.jpeg(400, 300), 'a.jpg');
    expect(created.body.links.variants).toEqual({
      tiny: signedVariantLink(created.body.id, 'tiny'),
      card: signedVariantLink(created.body.id, 'card'),
    });
    expect(await t.storedFiles()).toHaveLength(2);
    // Every slot taken, as by a long upload.
    const slots = (t.app.get(ImageProcessor) as unknown as { slots: ProcessingSlots }).slots;
    const release = await slots.acquire(0);
    try {
      const busy = await request(t.server).get(`/images/${created.body.id}/variants/card?format=webp`);
      expect(busy.status).toBe(503);
      expect(busy.body.code).toBe('SERVER_BUSY');
      expect(busy.headers['retry-after']).toBe('2');
      expect(await t.storedFiles()).toHaveLength(2);
    } finally {
      release?.();
    }
    const served = await request(t.server).get(`/images/${created.body.id}/variants/card?format=webp`);
    expect(served.status).toBe(200);
  });
});
