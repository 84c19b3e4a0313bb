// One image through its whole life: upload → list → metadata → content → conditional GET → range → HEAD →
// delete → gone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  client,
  deleteQuietly,
  expectError,
  type ImageMetadata,
  listAllIds,
  rawRequest,
  sha256,
  targetUrl,
  uploadOk,
} from './support/api';
import { decode, makeJpegWithExif, makeNoisePng, makePng, SHARP_FORMAT_BY_TYPE } from './support/images';

const WIDTH = 64;
const HEIGHT = 48;
const committedDocument = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'openapi.json'), 'utf8'));
const content = (id: string) => ({ params: { path: { id } } });

describe('image lifecycle', () => {
  let image: ImageMetadata;
  let location: string | null = null;
  let bytes: Buffer;

  beforeAll(async () => {
    image = await client.uploadImage(await makePng(WIDTH, HEIGHT), {
      filename: 'gradient e2e.png',
      contentType: 'image/png',
      onResponse: (response) => (location = response.headers.get('location')),
    });
  });

  afterAll(async () => {
    if (image?.id) await deleteQuietly(image.id);
  });

  it('answers the upload with 201, the metadata and a Location', () => {
    expect(image).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      contentType: 'image/png',
      size: expect.any(Number),
      width: WIDTH,
      height: HEIGHT,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      originalName: 'gradient e2e.png',
      createdAt: expect.any(String),
      links: { self: expect.any(String), content: expect.any(String) },
    });
    expect(Number.isNaN(Date.parse(image.createdAt))).toBe(false);
    expect(location).toMatch(new RegExp(`/images/${image.id}$`));
    expect(image.links.self).toMatch(new RegExp(`/images/${image.id}$`));
    // A capability URL: app-signed under /signed/ without a CDN, a CloudFront signed URL with one.
    expect(image.links.content).toMatch(
      new RegExp(`(/signed/images/${image.id}/content\\?expires=\\d+&signature=|^https://[^/]+/${image.id}\\?)`),
    );
  });

  it('lists the new image', async () => {
    expect(await listAllIds()).toContain(image.id);
    const { data, response } = await api.GET('/images', { params: { query: { limit: 1 } } });
    expect(response.status).toBe(200);
    expect(data!.items).toHaveLength(1);
    expect(data).toHaveProperty('nextCursor');
  });

  it('serves the same metadata at links.self', async () => {
    const { data, response } = await api.GET('/images/{id}', content(image.id));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(data).toEqual(image);
    // links are usable as given (relative to the host, or absolute).
    const viaLink = await fetch(new URL(image.links.self, targetUrl), {
      headers: process.env.E2E_API_KEY ? { 'x-api-key': process.env.E2E_API_KEY } : {},
    });
    expect(viaLink.status).toBe(200);
  });

  it('serves the stored bytes: hash, type and dimensions match the metadata', async () => {
    const { data, response } = await api.GET('/images/{id}/content', { ...content(image.id), parseAs: 'arrayBuffer' });
    expect(response.status).toBe(200);
    bytes = Buffer.from(data as ArrayBuffer);
    expect(response.headers.get('content-type')).toBe(image.contentType);
    expect(Number(response.headers.get('content-length'))).toBe(image.size);
    expect(bytes.length).toBe(image.size);
    expect(sha256(bytes)).toBe(image.sha256);
    const decoded = await decode(bytes);
    expect(decoded.format).toBe(SHARP_FORMAT_BY_TYPE[image.contentType]);
    expect([decoded.width, decoded.height]).toEqual([WIDTH, HEIGHT]);

    expect(response.headers.get('etag'), 'strong ETag').toBe(`"${image.sha256}"`);
    expect(response.headers.get('cache-control')).toMatch(/\S/);
    expect(Number.isNaN(Date.parse(response.headers.get('last-modified') ?? ''))).toBe(false);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(/^(inline|attachment)/);
  });

  it('answers If-None-Match with 304 and no body', async () => {
    const etag = (await api.HEAD('/images/{id}/content', content(image.id))).response.headers.get('etag')!;
    const response = await rawRequest(`/images/${image.id}/content`, 'GET', { 'If-None-Match': etag });
    expect(response.status).toBe(304);
    expect(response.body.length).toBe(0);
    expect(response.headers.get('etag')).toBe(etag);

    const stale = await rawRequest(`/images/${image.id}/content`, 'GET', { 'If-None-Match': '"not-the-etag"' });
    expect(stale.status).toBe(200);
    expect(sha256(stale.body)).toBe(image.sha256);
  });

  // fetch() sends `Cache-Control: no-cache` with any If-None-Match. That directive is for caches; the origin
  // still evaluates the precondition (RFC 9110 §13.2.2, RFC 9111 §5.2.1.4), so a fetch() client gets 304 too.
  it("answers a fetch() client's If-None-Match (with Cache-Control: no-cache) with 304, on GET and HEAD", async () => {
    const conditional = { ...content(image.id), headers: { 'If-None-Match': `"${image.sha256}"` } };
    expect((await api.GET('/images/{id}/content', conditional)).response.status).toBe(304);
    expect((await api.HEAD('/images/{id}/content', conditional)).response.status).toBe(304);
  });

  it('answers a byte range with 206 and Content-Range', async () => {
    const end = Math.min(99, image.size - 1);
    const { data, response } = await api.GET('/images/{id}/content', {
      ...content(image.id),
      headers: { Range: `bytes=10-${end}` },
      parseAs: 'arrayBuffer',
    });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 10-${end}/${image.size}`);
    expect(Number(response.headers.get('content-length'))).toBe(end - 10 + 1);
    expect(Buffer.from(data as ArrayBuffer).equals(bytes.subarray(10, end + 1))).toBe(true);
  });

  it('refuses an unsatisfiable range with 416', async () => {
    const result = await api.GET('/images/{id}/content', {
      ...content(image.id),
      headers: { Range: `bytes=${image.size + 10}-` },
    });
    expectError(result, 416, 'RANGE_NOT_SATISFIABLE');
    expect(result.response.headers.get('content-range')).toBe(`bytes */${image.size}`);
  });

  it('answers HEAD with the headers and no body', async () => {
    const { response } = await api.HEAD('/images/{id}/content', content(image.id));
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    expect(response.headers.get('content-type')).toBe(image.contentType);
    expect(response.headers.get('etag')).toBe(`"${image.sha256}"`);
    // Prism answers HEAD with its own Content-Length: 0, so the length is read from the target itself.
    const direct = await rawRequest(`/images/${image.id}/content`, 'HEAD');
    expect(direct.body.length).toBe(0);
    expect(Number(direct.headers.get('content-length'))).toBe(image.size);
  });

  it('deletes with 204, then the image is gone everywhere', async () => {
    const deleted = await api.DELETE('/images/{id}', content(image.id));
    expect(deleted.response.status).toBe(204);
    expect(deleted.data).toBeUndefined();

    expectError(await api.GET('/images/{id}', content(image.id)), 404, 'IMAGE_NOT_FOUND');
    expectError(await api.GET('/images/{id}/content', content(image.id)), 404, 'IMAGE_NOT_FOUND');
    expectError(await api.DELETE('/images/{id}', content(image.id)), 404, 'IMAGE_NOT_FOUND');
    expect(await listAllIds()).not.toContain(image.id);
  });
});

describe('an image larger than CONTENT_REDIRECT_BYTES', () => {
  const threshold = Number(process.env.E2E_CONTENT_REDIRECT_BYTES ?? 0);

  it('is redirected (307) to a presigned storage URL on S3, served directly otherwise', async (context) => {
    if (!threshold) return context.skip('the target’s CONTENT_REDIRECT_BYTES is unknown (E2E_CONTENT_REDIRECT_BYTES)');
    const image = await uploadOk(await makeNoisePng(400, 400), 'noise.png', 'image/png');
    try {
      expect(image.size, 'the stored image is over the threshold').toBeGreaterThan(threshold);
      const onS3 = (await api.POST('/images/uploads')).response.status !== 501;
      const { data, response } = await api.GET('/images/{id}/content', {
        ...content(image.id),
        headers: { Range: 'bytes=0-99' },
        parseAs: 'arrayBuffer',
      });
      if (!onS3) {
        expect(response.status).toBe(206);
        expect(Buffer.from(data as ArrayBuffer)).toHaveLength(100);
        return;
      }
      expect(response.status).toBe(307);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      const location = response.headers.get('location')!;
      expect(location).toMatch(/^https?:\/\//);
      // 307 keeps the method and the Range: storage answers the same range.
      const ranged = await fetch(location, { headers: { Range: 'bytes=0-99' } });
      expect(ranged.status).toBe(206);
      const whole = await fetch(location);
      expect(sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(image.sha256);
    } finally {
      await deleteQuietly(image.id);
    }
  });
});

describe('metadata stripping', () => {
  it('re-encodes a JPEG without its EXIF', async () => {
    const original = await makeJpegWithExif(40, 30);
    expect((await decode(original)).exif, 'the test image has EXIF').toBeDefined();
    const image = await uploadOk(original, 'camera.jpg', 'image/jpeg');
    try {
      expect(image).toMatchObject({ contentType: 'image/jpeg', width: 40, height: 30 });
      const { data, response } = await api.GET('/images/{id}/content', {
        ...content(image.id),
        parseAs: 'arrayBuffer',
      });
      expect(response.status).toBe(200);
      const stored = Buffer.from(data as ArrayBuffer);
      expect(sha256(stored)).toBe(image.sha256);
      const decoded = await decode(stored);
      expect(decoded.exif).toBeUndefined();
      expect(stored.includes(Buffer.from('imagestore-e2e'))).toBe(false);
    } finally {
      await deleteQuietly(image.id);
    }
  });
});

describe('pagination', () => {
  const ids: string[] = [];
  const limit = committedDocument.paths['/images'].get.parameters.find((p: { name?: string }) => p.name === 'limit');
  const defaultLimit: number = limit.schema.default;

  beforeAll(async () => {
    // One more image than a default page holds (counting what a shared target already has), so the default shows.
    const existing = (await listAllIds()).size;
    const needed = Math.max(3, defaultLimit + 1 - existing);
    for (let i = 0; i < needed; i++) {
      ids.push((await uploadOk(await makePng(8 + (i % 8), 8), `p${i}.png`, 'image/png')).id);
    }
  });
  afterAll(async () => {
    for (const id of ids) await deleteQuietly(id);
  });

  it('walks every page with limit=1 and sees each image once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10_000; i++) {
      const { data, response } = await api.GET('/images', { params: { query: { limit: 1, cursor } } });
      expect(response.status).toBe(200);
      expect(data!.items.length).toBeLessThanOrEqual(1);
      seen.push(...data!.items.map((item) => item.id));
      cursor = data!.nextCursor ?? undefined;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
  });

  it('without limit, answers exactly the documented default page size, then a cursor', async () => {
    const { data, response } = await api.GET('/images');
    expect(response.status).toBe(200);
    expect(data!.items).toHaveLength(defaultLimit);
    expect(data!.nextCursor).toEqual(expect.any(String));
  });
});

describe('service endpoints', () => {
  it('GET /health answers 200', async () => {
    const { data, response } = await api.GET('/health');
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ status: 'ok' });
  });

  it('GET /docs-json is openapi.json, with servers pointing at where it is served', async () => {
    const response = await fetch(`${targetUrl}/docs-json`);
    expect(response.status).toBe(200);
    const { servers, ...served } = (await response.json()) as { servers: unknown };
    const { servers: _committedServers, ...committed } = committedDocument;
    expect(served).toEqual(committed);
    expect(servers).toEqual([{ url: new URL(targetUrl).pathname.replace(/\/$/, '') || '/' }]);
  });

  it('GET /docs serves the Swagger UI page', async () => {
    const response = await fetch(`${targetUrl}/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/swagger-ui/i);
  });

  it('echoes a safe client x-request-id, and makes a new one otherwise', async () => {
    const mine = await api.GET('/health', { headers: { 'x-request-id': 'e2e-request-id-123' } });
    expect(mine.response.headers.get('x-request-id')).toBe('e2e-request-id-123');
    const unsafe = await api.GET('/health', { headers: { 'x-request-id': 'bad id' } });
    const generated = await api.GET('/health');
    for (const other of [unsafe, generated]) {
      expect(other.response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(generated.response.headers.get('x-request-id')).not.toBe(unsafe.response.headers.get('x-request-id'));
  });
});
