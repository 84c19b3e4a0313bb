import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryBody } from '../test/binary-body';
import { imageFixtures } from '../test/image-fixtures';
import { acquireLocalS3, type S3TestServer } from '../test/local-s3';
import { createS3TestApp, type S3TestApp } from '../test/s3-test-app';
import { TcpProxy } from '../test/tcp-proxy';
import type { TestApp } from '../test/test-app';

/** The whole API in S3 mode, over real HTTP with real signatures, through a proxy the fault tests can break. */
describe('the API on S3 storage', async () => {
  const localS3 = await acquireLocalS3();
  afterAll(() => localS3.release());
  if (!localS3.available) {
    it.skip(`needs an S3 server: ${localS3.reason}`);
    return;
  }
  const server: S3TestServer = localS3.server;
  const MAX_UPLOAD_BYTES = 256 * 1024;
  const DIRECT_UPLOAD_MAX_BYTES = 512 * 1024;
  const CONTENT_REDIRECT_BYTES = 100 * 1024;
  let s3: S3TestApp;
  let proxy: TcpProxy;
  let t: TestApp;

  const keys = () => s3.keys();

  beforeAll(async () => {
    const target = new URL(server.endpoint);
    proxy = await new TcpProxy(target.hostname, Number(target.port)).start();
    s3 = await createS3TestApp(server, 'imagestore-http', {
      S3_ENDPOINT: `http://127.0.0.1:${proxy.port}`,
      S3_CONNECT_TIMEOUT_MS: '300',
      S3_REQUEST_TIMEOUT_MS: '1000',
      S3_MAX_ATTEMPTS: '2',
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      DIRECT_UPLOAD_MAX_BYTES: String(DIRECT_UPLOAD_MAX_BYTES),
      CONTENT_REDIRECT_BYTES: String(CONTENT_REDIRECT_BYTES),
      // The bucket listings below are of originals; variants have their own suite.
      IMAGE_VARIANTS_EAGER: 'none',
    });
    t = s3.t;
  });

  afterAll(async () => {
    await s3?.close();
    await proxy?.stop();
  });

  const upload = (bytes: Buffer, name = 'photo.png') => request(t.server).post('/images').attach('file', bytes, name);

  it('reports ready', async () => {
    expect((await request(t.server).get('/health')).status).toBe(200);
  });

  it('runs the whole lifecycle: upload, metadata, bytes, conditional and range reads, delete', async () => {
    const created = await upload(await imageFixtures.jpegWithGpsAndOrientation(), 'trip ✈.jpg');
    expect(created.status).toBe(201);
    const { id, sha256, size } = created.body;
    expect(created.body).toMatchObject({
      contentType: 'image/jpeg',
      width: 20,
      height: 40,
      originalName: 'trip ✈.jpg',
    });
    expect(await keys()).toEqual([`images/${id}`]);

    const metadata = await request(t.server).get(`/images/${id}`);
    expect(metadata.body).toEqual(created.body);

    const content = await request(t.server).get(`/images/${id}/content`).buffer(true).parse(binaryBody);
    expect(content.status).toBe(200);
    expect(content.headers).toMatchObject({
      'content-type': 'image/jpeg',
      etag: `"${sha256}"`,
      'content-length': String(size),
    });
    expect(createHash('sha256').update(content.body).digest('hex')).toBe(sha256);

    const notModified = await request(t.server).get(`/images/${id}/content`).set('If-None-Match', `"${sha256}"`);
    expect(notModified.status).toBe(304);

    const partial = await request(t.server)
      .get(`/images/${id}/content`)
      .set('Range', 'bytes=2-11')
      .buffer(true)
      .parse(binaryBody);
    expect(partial.status).toBe(206);
    expect(partial.headers['content-range']).toBe(`bytes 2-11/${size}`);
    expect(Buffer.compare(partial.body, content.body.subarray(2, 12))).toBe(0);

    const head = await request(t.server).head(`/images/${id}/content`);
    expect(head.headers['content-length']).toBe(String(size));

    expect((await request(t.server).delete(`/images/${id}`)).status).toBe(204);
    expect((await request(t.server).get(`/images/${id}`)).status).toBe(404);
    expect((await request(t.server).get(`/images/${id}/content`)).status).toBe(404);
    expect((await request(t.server).delete(`/images/${id}`)).status).toBe(404);
    expect(await keys()).toEqual([]);
  });

  it('pages through many images with signed cursors wrapping S3 continuation tokens', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await upload(await imageFixtures.png(4 + i, 4), `p${i}.png`)).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: request.Response = await request(t.server)
        .get('/images')
        .query({ limit: 4, ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen).toEqual(ids);
    expect(pages).toBeGreaterThanOrEqual(6);

    const first = await request(t.server).get('/images').query({ limit: 4 });
    const tampered = first.body.nextCursor.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
    expect((await request(t.server).get('/images').query({ cursor: tampered })).body.code).toBe('INVALID_CURSOR');
    await Promise.all(ids.map((id) => request(t.server).delete(`/images/${id}`)));
  });

  it('refuses bad uploads without writing anything to the bucket', async () => {
    const before = await keys();
    expect((await upload(imageFixtures.svg(), 'x.svg')).status).toBe(415);
    expect((await upload(imageFixtures.pngDeclaring(50_000, 50_000, 100 * 1024))).status).toBe(422);
    expect((await upload(Buffer.concat([await imageFixtures.png(), Buffer.alloc(MAX_UPLOAD_BYTES)]))).status).toBe(413);
    expect(await keys()).toEqual(before);
  });

  describe('direct uploads through a presigned POST', () => {
    const postToS3 = async (presigned: { url: string; fields: Record<string, string> }, bytes: Buffer) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
      form.append('file', new Blob([new Uint8Array(bytes)]), 'upload.bin');
      // The presigned URL points at the proxy's target address as configured; go straight to S3.
      return fetch(presigned.url.replace(`127.0.0.1:${proxy.port}`, new URL(server.endpoint).host), {
        method: 'POST',
        body: form,
      });
    };

    it('accepts an in-range image, verifies it on complete, and leaves nothing staged', async () => {
      const started = await request(t.server).post('/images/uploads');
      expect(started.status).toBe(201);
      expect(started.body.fields.key).toBe(`incoming/${started.body.uploadId}`);
      expect(started.body.maxBytes).toBe(DIRECT_UPLOAD_MAX_BYTES);
      const image = await imageFixtures.jpeg(700, 500);
      expect(image.length).toBeGreaterThan(0);
      const s3Response = await postToS3(started.body, image);
      expect(s3Response.status).toBe(204);
      expect(await keys()).toContain(`incoming/${started.body.uploadId}`);

      const completed = await request(t.server).post(started.body.completeUrl);
      expect(completed.status).toBe(201);
      expect(completed.body).toMatchObject({ contentType: 'image/jpeg', width: 700, height: 500 });
      expect(completed.headers.location).toBe(`/images/${completed.body.id}`);
      expect(await keys()).toEqual([`images/${completed.body.id}`]);
      expect((await request(t.server).post(started.body.completeUrl)).body.code).toBe('UPLOAD_NOT_FOUND');
      await request(t.server).delete(`/images/${completed.body.id}`);
    });

    it('serves an image bigger than CONTENT_REDIRECT_BYTES from a presigned S3 URL (307), bytes intact', async () => {
      const started = await request(t.server).post('/images/uploads');
      expect((await postToS3(started.body, await imageFixtures.noisyJpeg(500, 95))).status).toBe(204);
      const completed = await request(t.server).post(started.body.completeUrl);
      expect(completed.status).toBe(201);
      const { id, sha256, size } = completed.body;
      expect(size).toBeGreaterThan(CONTENT_REDIRECT_BYTES);

      const redirect = await request(t.server).get(`/images/${id}/content`).redirects(0);
      expect(redirect.status).toBe(307);
      expect(redirect.headers['cache-control']).toBe('private, no-store');
      const link = new URL(redirect.headers.location);
      expect(link.pathname).toBe(`/${s3.bucket}/images/${id}`);
      expect(link.searchParams.get('X-Amz-Expires')).toBe('300');

      const fromS3 = await fetch(link);
      expect(fromS3.status).toBe(200);
      expect(fromS3.headers.get('content-type')).toBe('image/jpeg');
      // Ceph RGW echoes the override without the quotes, which is the same value for a token like this.
      expect(fromS3.headers.get('content-disposition')).toMatch(new RegExp(`^inline; filename="?${id}\\.jpg"?$`));
      expect(fromS3.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      const bytes = Buffer.from(await fromS3.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);

      // The client keeps its headers across a 307: ranges are answered by S3 the same way.
      // HEAD needs no bytes, so it is answered by the service (a presigned URL is valid for GET only).
      const head = await request(t.server).head(`/images/${id}/content`).redirects(0);
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(size));
      expect(head.headers.etag).toBe(`"${sha256}"`);
      const ranged = await fetch(link, { headers: { Range: 'bytes=0-9' } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(0, 10))).toBe(true);
      // A client holding the current bytes is still told so without a round trip to S3.
      const notModified = await request(t.server).get(`/images/${id}/content`).set('If-None-Match', `"${sha256}"`);
      expect(notModified.status).toBe(304);

      expect((await request(t.server).delete(`/images/${id}`)).status).toBe(204);
      expect((await fetch(link)).status).toBe(404);
    });

    it('lets S3 refuse a file over the policy’s size', async () => {
      const started = await request(t.server).post('/images/uploads');
      const s3Response = await postToS3(started.body, Buffer.alloc(DIRECT_UPLOAD_MAX_BYTES + 1, 1));
      expect(s3Response.status).toBe(400);
      expect(await s3Response.text()).toContain('EntityTooLarge');
      expect((await request(t.server).post(started.body.completeUrl)).status).toBe(404);
      expect(await keys()).toEqual([]);
    });

    it('refuses a staged file that is not an image with the same code as a direct upload, and deletes it', async () => {
      const started = await request(t.server).post('/images/uploads');
      expect((await postToS3(started.body, imageFixtures.html())).status).toBe(204);
      const completed = await request(t.server).post(started.body.completeUrl);
      expect(completed.status).toBe(415);
      expect(completed.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(await keys()).toEqual([]);
    });

    it('answers 404 for an upload id that was never used', async () => {
      const response = await request(t.server).post('/images/uploads/3b241101-e2bb-4255-8caf-4136c566a962/complete');
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('UPLOAD_NOT_FOUND');
    });
  });

  describe('when S3 fails', () => {
    it('answers 503 with Retry-After while S3 is down, stays up, and recovers without a restart', async () => {
      const before = await keys();
      await proxy.stop();
      const upload503 = await upload(await imageFixtures.png(), 'down.png');
      expect(upload503.status).toBe(503);
      expect(upload503.headers['retry-after']).toMatch(/^\d+$/);
      expect(upload503.body).toMatchObject({
        code: 'STORAGE_UNAVAILABLE',
        requestId: upload503.headers['x-request-id'],
      });
      expect((await request(t.server).get('/images')).status).toBe(503);
      expect((await request(t.server).get('/health')).status).toBe(503);

      await proxy.start();
      expect((await request(t.server).get('/health')).status).toBe(200);
      const recovered = await upload(await imageFixtures.png(), 'back.png');
      expect(recovered.status).toBe(201);
      expect(await keys()).toEqual([...before, `images/${recovered.body.id}`].sort());
      await request(t.server).delete(`/images/${recovered.body.id}`);
    });

    it('ends a request to a slow S3 with a 503 within the configured timeouts, writing nothing', async () => {
      const before = await keys();
      proxy.delayMs = 10_000;
      try {
        const started = Date.now();
        const response = await upload(await imageFixtures.png(), 'slow.png');
        const elapsedMs = Date.now() - started;
        expect(response.status).toBe(503);
        expect(response.body.code).toBe('STORAGE_UNAVAILABLE');
        // Two attempts × (300 ms connect + 1 s request) plus backoff: far below the proxy's 10 s delay.
        expect(elapsedMs).toBeLessThan(8_000);
      } finally {
        proxy.delayMs = 0;
      }
      // No image. The pending marker written before it may have landed: the sweep clears those (it deletes the
      // image a marker names, then the marker), see s3.image-storage.int-spec.ts.
      expect((await keys()).filter((key) => !key.startsWith('pending/'))).toEqual(before);
    });
  });
});
