import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { binaryBody } from '../test/binary-body';
import { imageFixtures } from '../test/image-fixtures';
import { acquireLocalS3 } from '../test/local-s3';
import { createS3TestApp, type S3TestApp } from '../test/s3-test-app';
import type { TestApp } from '../test/test-app';
import { ImageStorage } from './image-storage';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Variants through the whole API on the real local S3 server: keys, listing, redirects, deletion and its race. */
describe('image variants on S3 storage', async () => {
  const localS3 = await acquireLocalS3();
  afterAll(() => localS3.release());
  if (!localS3.available) {
    it.skip(`needs an S3 server: ${localS3.reason}`);
    return;
  }
  const server = localS3.server;
  const CONTENT_REDIRECT_BYTES = 60 * 1024;
  let s3: S3TestApp;
  let t: TestApp;

  const keysOf = async (id: string) => (await s3.keys()).filter((key) => key.includes(id));
  const upload = async (bytes: Buffer) => {
    const response = await request(t.server).post('/images').attach('file', bytes, 'photo.jpg');
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: string; placeholder: string; size: number };
  };
  const get = (path: string) => request(t.server).get(path).buffer(true).parse(binaryBody).redirects(0);

  beforeAll(async () => {
    s3 = await createS3TestApp(server, 'imagestore-variants', {
      CONTENT_REDIRECT_BYTES: String(CONTENT_REDIRECT_BYTES),
    });
    t = s3.t;
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => s3?.close());

  it('stores variants under variants/<id>/, keeps the placeholder in the object metadata, and lists originals only', async () => {
    const image = await upload(await imageFixtures.jpeg(1200, 800));
    const variant = await get(`/images/${image.id}/variants/small?format=webp`);
    expect(variant.status).toBe(200);
    expect(variant.headers.etag).toBe(`"${sha256(variant.body)}"`);

    expect(await keysOf(image.id)).toEqual([
      `images/${image.id}`,
      `variants/${image.id}/small.webp`,
      `variants/${image.id}/thumb.avif`,
    ]);
    expect((await request(t.server).get(`/images/${image.id}`)).body.placeholder).toBe(image.placeholder);
    const listed = (await request(t.server).get('/images?limit=100')).body.items.map((item: { id: string }) => item.id);
    expect(listed).toEqual([image.id]);
    // Stored: the second answer is the same representation.
    const again = await get(`/images/${image.id}/variants/small?format=webp`);
    expect(again.headers.etag).toBe(variant.headers.etag);
    const ranged = await get(`/images/${image.id}/variants/small?format=webp`).set('Range', 'bytes=4-11');
    expect(ranged.status).toBe(206);
    expect(ranged.body).toEqual(variant.body.subarray(4, 12));
    expect((await request(t.server).delete(`/images/${image.id}`)).status).toBe(204);
  });

  it('redirects a variant too big to pass through to a presigned URL (307), from its first request', async () => {
    const image = await upload(await imageFixtures.noisyJpeg(900, 90));
    const redirect = await get(`/images/${image.id}/variants/large?format=png`);
    expect(redirect.status).toBe(307);
    expect(redirect.headers['cache-control']).toBe('private, no-store');
    const link = new URL(redirect.headers.location);
    expect(link.pathname).toBe(`/${s3.bucket}/variants/${image.id}/large.png`);

    const fromS3 = await fetch(link);
    expect(fromS3.status).toBe(200);
    expect(fromS3.headers.get('content-type')).toBe('image/png');
    expect(fromS3.headers.get('content-disposition')).toMatch(
      new RegExp(`^inline; filename="?${image.id}-large\\.png"?$`),
    );
    expect(fromS3.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    const bytes = Buffer.from(await fromS3.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(CONTENT_REDIRECT_BYTES);
    const head = await request(t.server).head(`/images/${image.id}/variants/large?format=png`);
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(`"${sha256(bytes)}"`);
    // A small variant of the same image is streamed.
    expect((await get(`/images/${image.id}/variants/thumb?format=webp`)).status).toBe(200);
    expect((await request(t.server).delete(`/images/${image.id}`)).status).toBe(204);
  });

  it('makes the eager preset for a completed direct upload too', async () => {
    const started = await request(t.server).post('/images/uploads');
    const form = new FormData();
    for (const [name, value] of Object.entries(started.body.fields as Record<string, string>)) form.append(name, value);
    form.append('file', new Blob([new Uint8Array(await imageFixtures.jpeg(700, 500))]), 'upload.bin');
    expect((await fetch(started.body.url, { method: 'POST', body: form })).status).toBe(204);
    const completed = await request(t.server).post(started.body.completeUrl);
    expect(completed.status).toBe(201);
    expect(completed.body.links.variants.thumb).toMatch(
      new RegExp(`^/signed/images/${completed.body.id}/variants/thumb\\?expires=\\d+&signature=`),
    );
    expect(await keysOf(completed.body.id)).toEqual([
      `images/${completed.body.id}`,
      `variants/${completed.body.id}/thumb.avif`,
    ]);
    expect((await request(t.server).delete(`/images/${completed.body.id}`)).status).toBe(204);
  });

  it('deletes every variant object with its image', async () => {
    const image = await upload(await imageFixtures.jpeg(900, 600));
    for (const path of ['small?format=webp', 'medium?format=jpeg', 'thumb?format=png']) {
      expect((await get(`/images/${image.id}/variants/${path}`)).status).toBe(200);
    }
    expect(await keysOf(image.id)).toHaveLength(5);
    expect((await request(t.server).delete(`/images/${image.id}`)).status).toBe(204);
    expect(await keysOf(image.id)).toEqual([]);
  });

  it('leaves no variant object when the image is deleted while its variant is being written', async () => {
    const image = await upload(await imageFixtures.jpeg(900, 600));
    const storage = t.app.get(ImageStorage);
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

    const variant = get(`/images/${image.id}/variants/medium?format=webp`).then((response) => response);
    await writeStarted;
    expect((await request(t.server).delete(`/images/${image.id}`)).status).toBe(204);
    deleted();

    const response = await variant;
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body.toString()).code).toBe('IMAGE_NOT_FOUND');
    expect(await keysOf(image.id)).toEqual([]);
  });
});
