import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { binaryBody } from '../../test/binary-body';
import { imageFixtures } from '../../test/image-fixtures';
import { createTestApp, type TestApp } from '../../test/test-app';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('signed content links (no CDN: the app signs and serves them)', () => {
  let t: TestApp;
  const images: { id: string; sha256: string; size: number; links: { content: string } }[] = [];

  beforeAll(async () => {
    t = await createTestApp({ CONTENT_LINK_SECRET: 'x'.repeat(40), CONTENT_LINK_TTL_SECONDS: '600' });
    for (const make of [() => imageFixtures.jpeg(64, 48), () => imageFixtures.png(32, 32)]) {
      const response = await request(t.server)
        .post('/images')
        .attach('file', await make(), 'a');
      expect(response.status).toBe(201);
      images.push(response.body);
    }
  });
  afterAll(() => t.close());

  const fetchLink = (link: string, headers: Record<string, string> = {}) =>
    request(t.server).get(link).set(headers).buffer(true).parse(binaryBody);

  it('serves the bytes of every link the API returns (upload, metadata, list), with the delivery headers', async () => {
    const metadata = await request(t.server).get(`/images/${images[0]!.id}`);
    const list = await request(t.server).get('/images');
    const links = [
      ...images.map((image) => [image.id, image.links.content] as const),
      [images[0]!.id, metadata.body.links.content as string] as const,
      ...(list.body.items as typeof images).map((item) => [item.id, item.links.content] as const),
    ];
    expect(links).toHaveLength(5);
    for (const [id, link] of links) {
      const image = images.find((candidate) => candidate.id === id)!;
      const response = await fetchLink(link);
      expect(response.status, link).toBe(200);
      expect(sha256(response.body)).toBe(image.sha256);
      expect(response.headers).toMatchObject({
        etag: `"${image.sha256}"`,
        'content-length': String(image.size),
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
      });
    }
  });

  it('gives the same link for the same image while the window lasts', async () => {
    const again = await request(t.server).get(`/images/${images[0]!.id}`);
    expect(again.body.links.content).toBe(images[0]!.links.content);
  });

  it('answers ranges, 304 and HEAD through the same delivery code as /content', async () => {
    const link = images[0]!.links.content;
    const range = await fetchLink(link, { range: 'bytes=0-9' });
    expect(range.status).toBe(206);
    expect(range.body).toHaveLength(10);
    expect((await fetchLink(link, { 'if-none-match': `"${images[0]!.sha256}"` })).status).toBe(304);
    const head = await request(t.server).head(link);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(images[0]!.size));
  });

  it('refuses a tampered, foreign or unsigned link with 403 INVALID_SIGNATURE in the error envelope', async () => {
    const [first, second] = images;
    const link = new URL(first!.links.content, 'http://local');
    const signature = link.searchParams.get('signature')!;
    const variants = [
      `${link.pathname}?expires=${Number(link.searchParams.get('expires')) + 600}&signature=${signature}`,
      `${link.pathname}?expires=${link.searchParams.get('expires')}&signature=${signature.slice(1)}A`,
      `${link.pathname.replace(first!.id, second!.id)}${link.search}`,
      link.pathname,
      `${link.pathname}?expires=${link.searchParams.get('expires')}`,
    ];
    for (const tampered of variants) {
      const response = await request(t.server).get(tampered);
      expect(response.status, tampered).toBe(403);
      expect(response.body, tampered).toMatchObject({
        statusCode: 403,
        error: 'Forbidden',
        code: 'INVALID_SIGNATURE',
        requestId: expect.any(String),
      });
    }
  });

  it('refuses an expired link with 403 LINK_EXPIRED', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 600_000 + 150_000 + 1000);
      const response = await request(t.server).get(images[0]!.links.content);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'LINK_EXPIRED' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers 404 for a validly signed link to an image deleted since', async () => {
    const [, second] = images;
    expect((await request(t.server).delete(`/images/${second!.id}`)).status).toBe(204);
    const response = await request(t.server).get(second!.links.content);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'IMAGE_NOT_FOUND' });
  });
});
