import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { binaryBody } from '../../test/binary-body';
import { imageFixtures } from '../../test/image-fixtures';
import { createTestApp, type TestApp } from '../../test/test-app';
import { VARIANTS_PREFIX, variantKey } from '../storage/s3-keys';
import { VARIANT_FORMATS, variantName } from '../variants/variant-record';
import { CDN_VARIANTS_PATH } from './cdn-variants.controller';

interface UploadedImage {
  id: string;
  links: { content: string; variants: Record<string, string> };
}

describe('variant links: app-signed, keyless, one preset each', () => {
  let t: TestApp;
  let jpeg: UploadedImage;
  let png: UploadedImage;

  beforeAll(async () => {
    t = await createTestApp({ CONTENT_LINK_SECRET: 'v'.repeat(40), CONTENT_LINK_TTL_SECONDS: '600' });
    const upload = async (bytes: Buffer) => (await request(t.server).post('/images').attach('file', bytes, 'a')).body;
    jpeg = await upload(await imageFixtures.jpeg(800, 600));
    png = await upload(await imageFixtures.png(300, 200));
  });
  afterAll(() => t.close());

  const get = (link: string, headers: Record<string, string> = {}) =>
    request(t.server).get(link).set(headers).buffer(true).parse(binaryBody);

  it('returns a signed link per preset in upload, metadata and list answers, stable within the window', async () => {
    const metadata = (await request(t.server).get(`/images/${jpeg.id}`)).body as UploadedImage;
    const listed = ((await request(t.server).get('/images')).body.items as UploadedImage[]).find(
      (item) => item.id === jpeg.id,
    )!;
    expect(Object.keys(jpeg.links.variants).sort()).toEqual(['large', 'medium', 'small', 'thumb']);
    for (const [preset, link] of Object.entries(jpeg.links.variants)) {
      expect(link).toMatch(new RegExp(`^/signed/images/${jpeg.id}/variants/${preset}\\?expires=\\d+&signature=`));
      expect(metadata.links.variants[preset]).toBe(link);
      expect(listed.links.variants[preset]).toBe(link);
    }
  });

  it('serves every link without the API key: negotiated from Accept, or in the format added to the query', async () => {
    for (const [preset, link] of Object.entries(jpeg.links.variants)) {
      const negotiated = await get(link, { accept: 'image/webp,*/*' });
      expect(negotiated.status, preset).toBe(200);
      expect(negotiated.headers['content-type']).toBe('image/webp');
      expect(negotiated.headers.vary).toMatch(/accept/i);
      expect((await sharp(negotiated.body).metadata()).format).toBe('webp');
    }
    const thumb = jpeg.links.variants.thumb!;
    const asPng = await get(`${thumb}&format=png`);
    expect(asPng.status).toBe(200);
    expect(asPng.headers['content-type']).toBe('image/png');
    expect(asPng.headers.vary ?? '').not.toMatch(/accept/i);
    // The same stored variant as the keyed route's: one copy, one ETag.
    const keyed = await get(`/images/${jpeg.id}/variants/thumb?format=png`);
    expect(keyed.headers.etag).toBe(asPng.headers.etag);
    expect(Buffer.compare(keyed.body, asPng.body)).toBe(0);
    expect(await sharp(asPng.body).metadata()).toMatchObject({ width: 256, height: 192 });
  });

  it("falls back to the original's family for a client that takes neither AVIF nor WebP", async () => {
    expect((await get(jpeg.links.variants.small!, { accept: '*/*' })).headers['content-type']).toBe('image/jpeg');
    expect((await get(png.links.variants.small!, { accept: '*/*' })).headers['content-type']).toBe('image/png');
  });

  it('answers ranges and 304 through the same delivery code as the keyed route', async () => {
    const link = `${jpeg.links.variants.thumb!}&format=webp`;
    const full = await get(link);
    expect((await get(link, { 'if-none-match': full.headers.etag! })).status).toBe(304);
    const range = await get(link, { range: 'bytes=0-9' });
    expect(range.status).toBe(206);
    expect(Buffer.compare(range.body, full.body.subarray(0, 10))).toBe(0);
  });

  it("refuses another preset's, another image's, the original's or a tampered signature with 403", async () => {
    const thumb = new URL(jpeg.links.variants.thumb!, 'http://local');
    const refused = [
      `${thumb.pathname.replace('/thumb', '/large')}${thumb.search}`,
      `${thumb.pathname.replace(jpeg.id, png.id)}${thumb.search}`,
      `/signed/images/${jpeg.id}/content${thumb.search}`,
      `${thumb.pathname}?expires=${Number(thumb.searchParams.get('expires')) + 600}&signature=${thumb.searchParams.get('signature')}`,
      thumb.pathname,
    ];
    for (const link of refused) {
      const response = await request(t.server).get(link);
      expect(response.status, link).toBe(403);
      expect(response.body, link).toMatchObject({ statusCode: 403, code: 'INVALID_SIGNATURE' });
    }
    // A content link does not open variants either.
    const content = new URL(jpeg.links.content, 'http://local');
    expect((await request(t.server).get(`${thumb.pathname}${content.search}`)).status).toBe(403);
  });

  it('refuses an expired link with 403 LINK_EXPIRED and an unknown query parameter with 400', async () => {
    expect((await request(t.server).get(`${jpeg.links.variants.thumb!}&size=9`)).body).toMatchObject({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
    });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 600_000 + 150_000 + 1000);
      const response = await request(t.server).get(jpeg.links.variants.thumb!);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'LINK_EXPIRED' });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the CDN fallback origin (GET /cdn/variants/{id}/{name})', () => {
  let t: TestApp;
  let id: string;

  beforeAll(async () => {
    t = await createTestApp();
    id = (
      await request(t.server)
        .post('/images')
        .attach('file', await imageFixtures.jpeg(640, 480), 'a')
    ).body.id;
  });
  afterAll(() => t.close());

  const get = (path: string) => request(t.server).get(path).buffer(true).parse(binaryBody);

  it('makes, stores and serves the variant the stored name names, in every format', async () => {
    for (const [name, type] of [
      ['thumb.webp', 'image/webp'],
      ['thumb.avif', 'image/avif'],
      ['small.jpg', 'image/jpeg'],
      ['small.png', 'image/png'],
    ] as const) {
      const response = await get(`/${CDN_VARIANTS_PATH}/${id}/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers['content-type'], name).toBe(type);
      expect(response.headers.vary ?? '').not.toMatch(/accept/i);
      // Stored: the keyed route now serves the same bytes without making them again.
      const format = type.slice('image/'.length);
      const stored = await get(`/images/${id}/variants/${name.split('.')[0]}?format=${format}`);
      expect(stored.headers.etag, name).toBe(response.headers.etag);
    }
    expect(await t.storedFiles()).toEqual(
      expect.arrayContaining([expect.stringMatching(/thumb\.webp/), expect.stringMatching(/small\.jpg/)]),
    );
  });

  it('answers 404 for a name that is not <preset>.<stored extension>, and for an unknown image', async () => {
    for (const name of ['thumb.jpeg', 'thumb.gif', 'thumb', 'huge.webp', 'Thumb.webp']) {
      const response = await request(t.server).get(`/${CDN_VARIANTS_PATH}/${id}/${name}`);
      expect(response.status, name).toBe(404);
      expect(response.body, name).toMatchObject({ code: 'VARIANT_NOT_FOUND' });
    }
    const missing = await request(t.server).get(
      `/${CDN_VARIANTS_PATH}/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f/thumb.webp`,
    );
    expect(missing.body).toMatchObject({ statusCode: 404, code: 'IMAGE_NOT_FOUND' });
  });
});

describe('the edge and the app name variants alike', () => {
  const infraFile = (path: string) =>
    readFileSync(join(__dirname, '../../../infra/lib/constructs/image-cdn', path), 'utf8');
  // The CloudFront Function as CloudFront runs it: one script, a global `handler`.
  const edge = new Function(`'use strict';\n${infraFile('variant-request.js')}\nreturn handler;`)() as (event: {
    request: { uri: string; querystring: Record<string, { value: string }>; headers: Record<string, unknown> };
  }) => { uri: string };
  const ID = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';

  it("rewrites every format to the key the app stores it under, below the bucket origin's variants/ path", () => {
    for (const format of VARIANT_FORMATS) {
      const { uri } = edge({
        request: { uri: `/${ID}/variants/thumb`, querystring: { format: { value: format } }, headers: {} },
      });
      expect(`${VARIANTS_PREFIX}${uri.slice(1)}`).toBe(variantKey(ID, variantName('thumb', format)));
    }
  });

  it('sends what the bucket lacks to this controller (infra: VARIANT_FALLBACK_ORIGIN_PATH)', () => {
    expect(infraFile('image-cdn.ts')).toContain(`VARIANT_FALLBACK_ORIGIN_PATH = '/${CDN_VARIANTS_PATH}'`);
  });
});
