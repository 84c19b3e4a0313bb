// One image through its whole life: upload → list → metadata → content → conditional GET → range → HEAD →
// delete → gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  baseUrl,
  deleteQuietly,
  expectError,
  type ImageMetadata,
  listAllIds,
  rawRequest,
  sha256,
  upload,
  uploadOk,
} from './support/api';
import { decode, makeJpegWithExif, makePng, SHARP_FORMAT_BY_TYPE } from './support/images';

const WIDTH = 64;
const HEIGHT = 48;

describe('image lifecycle', () => {
  let image: ImageMetadata;
  let location: string | null;
  let content: Buffer;

  beforeAll(async () => {
    const response = await upload(await makePng(WIDTH, HEIGHT), { filename: 'gradient e2e.png', type: 'image/png' });
    expect(response.status, response.body.toString('utf8').slice(0, 500)).toBe(201);
    image = response.json<ImageMetadata>();
    location = response.headers.get('location');
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
    expect(image.links.content).toMatch(new RegExp(`/images/${image.id}/content$`));
  });

  it('lists the new image', async () => {
    expect(await listAllIds()).toContain(image.id);
    const page = await api('/images?limit=1');
    expect(page.status).toBe(200);
    const body = page.json<{ items: ImageMetadata[]; nextCursor: string | null }>();
    expect(body.items).toHaveLength(1);
    expect(body).toHaveProperty('nextCursor');
  });

  it('serves the same metadata at links.self', async () => {
    const response = await api(`/images/${image.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json()).toEqual(image);
    // links are usable as given (relative to the host, or absolute).
    const self = new URL(image.links.self, baseUrl).toString();
    const viaLink = await fetch(self, {
      headers: process.env.E2E_API_KEY ? { 'x-api-key': process.env.E2E_API_KEY } : {},
    });
    expect(viaLink.status).toBe(200);
  });

  it('serves the stored bytes: hash, type and dimensions match the metadata', async () => {
    const response = await api(`/images/${image.id}/content`);
    expect(response.status).toBe(200);
    content = response.body;
    expect(response.headers.get('content-type')).toBe(image.contentType);
    expect(Number(response.headers.get('content-length'))).toBe(image.size);
    expect(content.length).toBe(image.size);
    expect(sha256(content)).toBe(image.sha256);
    const decoded = await decode(content);
    expect(decoded.format).toBe(SHARP_FORMAT_BY_TYPE[image.contentType]);
    expect([decoded.width, decoded.height]).toEqual([WIDTH, HEIGHT]);

    const etag = response.headers.get('etag');
    expect(etag, 'strong ETag').toMatch(/^"[^"]+"$/);
    expect(response.headers.get('cache-control')).toMatch(/\S/);
    expect(Number.isNaN(Date.parse(response.headers.get('last-modified') ?? ''))).toBe(false);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(/^(inline|attachment)/);
  });

  it('answers If-None-Match with 304 and no body', async () => {
    const first = await api(`/images/${image.id}/content`, { method: 'HEAD' });
    const etag = first.headers.get('etag')!;
    const response = await rawRequest(`/images/${image.id}/content`, 'GET', { 'If-None-Match': etag });
    expect(response.status).toBe(304);
    expect(response.body.length).toBe(0);
    expect(response.headers.get('etag')).toBe(etag);
    expect(response.headers.get('x-request-id') ?? '').toMatch(/\S/);

    const stale = await rawRequest(`/images/${image.id}/content`, 'GET', { 'If-None-Match': '"not-the-etag"' });
    expect(stale.status).toBe(200);
    expect(sha256(stale.body)).toBe(image.sha256);
  });

  // fetch() sends `Cache-Control: no-cache` with any If-None-Match. That directive is for caches; the origin
  // still evaluates the precondition (RFC 9110 §13.2.2, RFC 9111 §5.2.1.4), so a fetch() client gets 304 too.
  it("answers a fetch() client's If-None-Match (with Cache-Control: no-cache) with 304", async () => {
    const etag = (await api(`/images/${image.id}/content`, { method: 'HEAD' })).headers.get('etag')!;
    const response = await api(`/images/${image.id}/content`, { headers: { 'If-None-Match': etag } });
    expect(response.status).toBe(304);
  });

  it('answers a byte range with 206 and Content-Range', async () => {
    const end = Math.min(99, image.size - 1);
    const response = await api(`/images/${image.id}/content`, { headers: { Range: `bytes=10-${end}` } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 10-${end}/${image.size}`);
    expect(Number(response.headers.get('content-length'))).toBe(end - 10 + 1);
    expect(response.body.equals(content.subarray(10, end + 1))).toBe(true);
  });

  it('refuses an unsatisfiable range with 416', async () => {
    const response = await api(`/images/${image.id}/content`, { headers: { Range: `bytes=${image.size + 10}-` } });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${image.size}`);
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await api(`/images/${image.id}/content`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(response.headers.get('content-type')).toBe(image.contentType);
    expect(Number(response.headers.get('content-length'))).toBe(image.size);
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
  });

  it('deletes with 204, then the image is gone everywhere', async () => {
    const deleted = await api(`/images/${image.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(deleted.body.length).toBe(0);

    expectError(await api(`/images/${image.id}`), 404, 'IMAGE_NOT_FOUND');
    expectError(await api(`/images/${image.id}/content`), 404, 'IMAGE_NOT_FOUND');
    expectError(await api(`/images/${image.id}`, { method: 'DELETE' }), 404, 'IMAGE_NOT_FOUND');
    expect(await listAllIds()).not.toContain(image.id);
  });
});

describe('metadata stripping', () => {
  it('re-encodes a JPEG without its EXIF', async () => {
    const original = await makeJpegWithExif(40, 30);
    expect((await decode(original)).exif, 'the test image has EXIF').toBeDefined();
    const image = await uploadOk(original, 'camera.jpg', 'image/jpeg');
    try {
      expect(image).toMatchObject({ contentType: 'image/jpeg', width: 40, height: 30 });
      const response = await api(`/images/${image.id}/content`);
      expect(response.status).toBe(200);
      expect(sha256(response.body)).toBe(image.sha256);
      const decoded = await decode(response.body);
      expect(decoded.exif).toBeUndefined();
      expect(response.body.includes(Buffer.from('imagestore-e2e'))).toBe(false);
    } finally {
      await deleteQuietly(image.id);
    }
  });
});

describe('pagination', () => {
  const ids: string[] = [];

  beforeAll(async () => {
    for (const size of [10, 11, 12])
      ids.push((await uploadOk(await makePng(size, size), `p${size}.png`, 'image/png')).id);
  });
  afterAll(async () => {
    for (const id of ids) await deleteQuietly(id);
  });

  it('walks every page with limit=1 and sees each image once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10_000; i++) {
      const response = await api(`/images?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      const page = response.json<{ items: ImageMetadata[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids));
  });

  it('defaults to at most 20 items', async () => {
    const response = await api('/images');
    expect(response.status).toBe(200);
    expect(response.json<{ items: unknown[] }>().items.length).toBeLessThanOrEqual(20);
  });
});

describe('service endpoints', () => {
  it('GET /health answers 200', async () => {
    const response = await api('/health');
    expect(response.status).toBe(200);
  });

  it('GET /docs-json is an OpenAPI document with the image routes', async () => {
    const response = await api('/docs-json');
    expect(response.status).toBe(200);
    const document = response.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/images', '/images/{id}', '/images/{id}/content']),
    );
  });

  it('GET /docs serves the Swagger UI page', async () => {
    const response = await api('/docs');
    expect(response.status).toBe(200);
    expect(response.body.toString('utf8')).toMatch(/swagger-ui/i);
  });

  it('echoes a client x-request-id or makes one', async () => {
    const mine = await api('/health', { headers: { 'x-request-id': 'e2e-request-id-123' } });
    const theirs = await api('/health');
    expect(mine.headers.get('x-request-id')).toBeTruthy();
    expect(theirs.headers.get('x-request-id')).not.toBe(mine.headers.get('x-request-id'));
  });
});
