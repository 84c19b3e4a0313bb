// Sized copies of an image: links and sizes in the metadata, negotiated and explicit formats, the same
// conditional and range behaviour as /content, and gone with the image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteQuietly, expectError, type ImageMetadata, rawFetch, rawRequest, sha256, uploadOk } from './support/api';
import { decode, makePng } from './support/images';

interface WithVariants extends ImageMetadata {
  placeholder: string | null;
  variants: Record<string, { width: number; height: number }>;
  links: ImageMetadata['links'] & { variants: Record<string, string> };
}

const BROWSER_ACCEPT = 'image/avif,image/webp,image/apng,*/*;q=0.8';
/** The API-key route of a variant; the keyless links in the metadata are checked in signed-links.e2e.ts. */
const variantPath = (image: WithVariants, preset: string) => `/images/${image.id}/variants/${preset}`;

describe('image variants', () => {
  let image: WithVariants;
  let thumbPath: string;

  beforeAll(async () => {
    image = (await uploadOk(await makePng(600, 400), 'variants e2e.png', 'image/png')) as WithVariants;
    thumbPath = variantPath(image, 'thumb');
  });

  afterAll(async () => {
    if (image?.id) await deleteQuietly(image.id);
  });

  it('lists every preset with its URL and this image’s size of it, and a placeholder', () => {
    expect(Object.keys(image.links.variants)).toEqual(Object.keys(image.variants));
    for (const [preset, link] of Object.entries(image.links.variants)) {
      expect(link).toMatch(new RegExp(`/${image.id}/variants/${preset}\\?`));
    }
    expect(image.variants.thumb).toEqual({ width: 256, height: 171 });
    expect(Buffer.from(image.placeholder ?? '', 'base64').length).toBeGreaterThan(4);
  });

  it('negotiates a modern format from Accept, says Vary: Accept, and serves the announced size', async () => {
    const response = await rawFetch(thumbPath, { headers: { Accept: BROWSER_ACCEPT } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/avif');
    expect(response.headers.get('vary') ?? '').toMatch(/\bAccept\b/);
    expect(response.headers.get('etag')).toBe(`"${sha256(response.body)}"`);
    expect(response.headers.get('cache-control')).toMatch(/immutable/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toContain(`${image.id}-thumb.avif`);
    const { width, height } = await decode(response.body);
    expect({ width, height }).toEqual(image.variants.thumb);
  });

  it('honours q=0 and falls back to the original’s family', async () => {
    const webp = await rawFetch(thumbPath, { headers: { Accept: 'image/avif;q=0, image/webp' } });
    expect(webp.headers.get('content-type')).toBe('image/webp');
    const png = await rawFetch(thumbPath, { headers: { Accept: 'image/avif;q=0, image/webp;q=0, */*' } });
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await decode(png.body)).format).toBe('png');
  });

  it('serves an explicit ?format= without Vary: Accept', async () => {
    const response = await rawFetch(`${thumbPath}?format=jpeg`, { headers: { Accept: 'image/avif' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('vary') ?? '').not.toMatch(/\bAccept\b/);
    expect((await decode(response.body)).format).toBe('jpeg');
  });

  it('answers conditional, ranged and HEAD requests as /content does', async () => {
    const path = `${thumbPath}?format=webp`;
    const full = await rawFetch(path);
    const etag = full.headers.get('etag') ?? '';
    expect((await rawRequest(path, 'GET', { 'If-None-Match': etag })).status).toBe(304);
    expectError(await rawRequest(path, 'GET', { 'If-Match': '"not-it"' }), 412, 'PRECONDITION_FAILED');
    const partial = await rawRequest(path, 'GET', { Range: 'bytes=0-15' });
    expect(partial.status).toBe(206);
    expect(partial.body.equals(full.body.subarray(0, 16))).toBe(true);
    expectError(await rawRequest(path, 'GET', { Range: `bytes=${full.body.length + 1}-` }), 416);
    const head = await rawRequest(path, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect(head.body.length).toBe(0);
  });

  it('refuses an unknown preset (404 VARIANT_NOT_FOUND) and an unknown format (400 VALIDATION_FAILED)', async () => {
    expectError(await rawFetch(`/images/${image.id}/variants/no-such-preset`), 404, 'VARIANT_NOT_FOUND');
    expectError(await rawFetch(`${thumbPath}?format=gif`), 400, 'VALIDATION_FAILED');
  });

  it('is gone with its image', async () => {
    const doomed = (await uploadOk(await makePng(300, 200), 'doomed.png', 'image/png')) as WithVariants;
    const small = variantPath(doomed, 'small');
    expect((await rawFetch(`${small}?format=webp`)).status).toBe(200);
    expect((await rawFetch(`/images/${doomed.id}`, { method: 'DELETE' })).status).toBe(204);
    for (const path of [`${small}?format=webp`, variantPath(doomed, 'thumb')]) {
      expectError(await rawFetch(path), 404, 'IMAGE_NOT_FOUND');
    }
  });
});
