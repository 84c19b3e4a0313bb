// Content links are capability URLs: fetched with no API key, as an <img src> would, they give the image's bytes;
// changed in any way, they are refused. Runs against the local server (disk or S3), the Lambda emulator and a
// deployed stage (where the links may be CloudFront signed URLs on another host).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteQuietly, rawFetch, sha256, targetUrl, uploadOk, type ImageMetadata } from './support/api';
import { makePng } from './support/images';

/**
 * A link as the API returned it, resolved the way a browser resolves it against the API's URL. Straight to the
 * target, not through the validating proxy: Prism re-encodes binary bodies (see e2e/support/contract.ts).
 */
const absolute = (link: string, base = targetUrl) => new URL(link, `${base}/`).toString();

/** A plain GET: no API key, no custom header, like a browser loading an image. */
async function fetchWithoutKey(link: string, init: RequestInit = {}) {
  const response = await fetch(absolute(link), { ...init, redirect: 'follow' });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

describe('signed content and variant links', () => {
  const created: ImageMetadata[] = [];
  const bytesOf = new Map<string, Buffer>();

  beforeAll(async () => {
    for (const [width, height] of [
      [40, 30],
      [24, 24],
    ] as const) {
      const png = await makePng(width, height);
      const image = await uploadOk(png, `signed-${width}.png`, 'image/png');
      created.push(image);
      bytesOf.set(image.id, png);
    }
  });
  afterAll(async () => {
    for (const image of created) await deleteQuietly(image.id);
  });

  it('serves the stored bytes at every link the API returns (upload, metadata, list), without the API key', async () => {
    const links: [string, string][] = created.map((image) => [image.id, image.links.content]);
    for (const image of created) {
      const metadata = (await rawFetch(`/images/${image.id}`)).json<ImageMetadata>();
      links.push([image.id, metadata.links.content]);
    }
    const listed = (await rawFetch('/images?limit=100')).json<{ items: ImageMetadata[] }>().items;
    for (const item of listed.filter((candidate) => bytesOf.has(candidate.id)))
      links.push([item.id, item.links.content]);
    expect(links.length).toBeGreaterThanOrEqual(2 * created.length);

    for (const [id, link] of links) {
      const image = created.find((candidate) => candidate.id === id)!;
      const response = await fetchWithoutKey(link);
      expect(response.status, link).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(sha256(response.body), link).toBe(image.sha256);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses a link that was changed: another image, another expiry, a damaged signature (403)', async () => {
    const [first, second] = created;
    const link = new URL(absolute(first!.links.content));
    const cloudfront = link.searchParams.has('Key-Pair-Id');
    const expiresName = cloudfront ? 'Expires' : 'expires';
    const signatureName = cloudfront ? 'Signature' : 'signature';

    const otherImage = new URL(link);
    otherImage.pathname = link.pathname.replace(first!.id, second!.id);
    const laterExpiry = new URL(link);
    laterExpiry.searchParams.set(expiresName, String(Number(link.searchParams.get(expiresName)) + 3600));
    const damaged = new URL(link);
    const signature = link.searchParams.get(signatureName)!;
    damaged.searchParams.set(signatureName, `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`);
    const unsigned = new URL(link);
    unsigned.search = '';

    for (const tampered of [otherImage, laterExpiry, damaged, unsigned]) {
      const response = await fetchWithoutKey(tampered.toString());
      expect(response.status, tampered.toString()).toBe(403);
      // The app answers in its envelope; CloudFront answers with its own body.
      if (!cloudfront) {
        expect(JSON.parse(response.body.toString('utf8'))).toMatchObject({
          statusCode: 403,
          code: 'INVALID_SIGNATURE',
        });
      }
      expect(response.body.includes(bytesOf.get(first!.id)!)).toBe(false);
    }
  });

  it('serves every variant link without the API key: the same bytes as the keyed route, in the format asked', async () => {
    const [first] = created;
    const metadata = (await rawFetch(`/images/${first!.id}`)).json<ImageMetadata>();
    expect(Object.keys(metadata.links.variants).length).toBeGreaterThan(0);
    for (const [preset, link] of Object.entries(metadata.links.variants)) {
      const negotiated = await fetchWithoutKey(link, { headers: { accept: 'image/webp' } });
      expect(negotiated.status, link).toBe(200);
      expect(negotiated.headers.get('content-type'), link).toBe('image/webp');
      const keyed = await rawFetch(`/images/${first!.id}/variants/${preset}?format=webp`);
      expect(sha256(negotiated.body), link).toBe(sha256(keyed.body));
      // A client that names neither AVIF nor WebP gets the original's family, PNG here.
      const plain = await fetchWithoutKey(link, { headers: { accept: '*/*' } });
      expect(plain.headers.get('content-type'), link).toBe('image/png');
    }
  });

  it('refuses a variant link moved to another preset or to the original (403)', async () => {
    const [first] = created;
    const link = new URL(absolute(first!.links.variants.thumb!));
    const otherPreset = new URL(link);
    otherPreset.pathname = link.pathname.replace('/variants/thumb', '/variants/large');
    const original = new URL(link);
    original.pathname = link.pathname.replace(
      '/variants/thumb',
      link.searchParams.has('Key-Pair-Id') ? '' : '/content',
    );
    for (const moved of [otherPreset, original]) {
      const response = await fetchWithoutKey(moved.toString());
      expect(response.status, moved.toString()).toBe(403);
    }
  });

  it('keeps the API-key routes working as before', async () => {
    const [first] = created;
    const response = await rawFetch(`/images/${first!.id}/content`);
    expect(response.status).toBe(200);
    expect(sha256(response.body)).toBe(first!.sha256);
  });
});
