import { createHash } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { binaryBody } from '../test/binary-body';
import { ImageStorage } from './image-storage';
import { imageFixtures } from '../test/image-fixtures';
import { createTestApp, type TestApp } from '../test/test-app';

describe('reading, listing and deleting images', () => {
  let t: TestApp;
  let image: { id: string; sha256: string; size: number; createdAt: string };

  beforeAll(async () => {
    t = await createTestApp({ LIST_MAX_LIMIT: '50' });
    const response = await request(t.server)
      .post('/images')
      .attach('file', await imageFixtures.jpeg(300, 200), 'a.jpg');
    image = response.body;
  });
  afterAll(() => t.close());

  const content = (id = image.id) => request(t.server).get(`/images/${id}/content`).buffer(true).parse(binaryBody);

  describe('GET /images/:id', () => {
    it('returns the metadata with links', async () => {
      const response = await request(t.server).get(`/images/${image.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: image.id,
        width: 300,
        height: 200,
        contentType: 'image/jpeg',
        links: { self: `/images/${image.id}` },
      });
    });

    it('accepts an upper-case id', async () => {
      expect((await request(t.server).get(`/images/${image.id.toUpperCase()}`)).status).toBe(200);
    });

    it('answers 404 IMAGE_NOT_FOUND for a well-formed unknown id', async () => {
      const response = await request(t.server).get('/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f');
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'IMAGE_NOT_FOUND', error: 'Not Found' });
    });

    it.each([
      ['path traversal, encoded', '..%2F..%2Fetc%2Fpasswd'],
      ['NUL byte', 'abc%00def'],
      ['5,000 characters', 'a'.repeat(5000)],
      ['a UUIDv4', '3b241101-e2bb-4255-8caf-4136c566a962'],
      ['malformed percent-encoding', '%E0%A4%A'],
      ['overlong UTF-8 dot', '%C0%AE%C0%AE'],
      ['not hex', '%ZZ'],
    ])('refuses a malformed id (%s) with 400 INVALID_IMAGE_ID before touching storage', async (_name, id) => {
      for (const path of [`/images/${id}`, `/images/${id}/content`]) {
        const response = await request(t.server).get(path);
        expect(response.status, path).toBe(400);
        expect(response.body.code, path).toBe('INVALID_IMAGE_ID');
      }
    });
  });

  describe('GET /images/:id/content', () => {
    it.each([
      ['If-None-Match and Range', { 'If-None-Match': '"other"', Range: 'bytes=0-9' }, 206],
      ['If-Match, If-Modified-Since and If-Range', { 'If-Match': '*', 'If-Modified-Since': 'x', 'If-Range': 'x' }, 200],
      ['nothing', {}, 200],
    ])('reads the metadata once, whatever the headers (%s)', async (_name, headers, status) => {
      const storage = t.app.get(ImageStorage);
      const calls = [vi.spyOn(storage, 'head'), vi.spyOn(storage, 'open'), vi.spyOn(storage, 'openBytes')];
      try {
        const response = await request(t.server).get(`/images/${image.id}/content`).set(headers);
        expect(response.status).toBe(status);
        const [head, open, openBytes] = calls.map((spy) => spy.mock.calls.length);
        // `open` brings metadata and bytes together; `openBytes` reads no metadata.
        expect(head + open).toBe(1);
        expect(open + openBytes).toBe(1);
      } finally {
        calls.forEach((spy) => spy.mockRestore());
      }
    });

    it('streams the bytes with caching and safety headers', async () => {
      const response = await content();
      expect(response.status).toBe(200);
      expect(createHash('sha256').update(response.body).digest('hex')).toBe(image.sha256);
      expect(response.headers).toMatchObject({
        'content-type': 'image/jpeg',
        'content-length': String(image.size),
        etag: `"${image.sha256}"`,
        'x-content-type-options': 'nosniff',
        'accept-ranges': 'bytes',
        'last-modified': new Date(image.createdAt).toUTCString(),
        'content-security-policy': "default-src 'none'; sandbox",
      });
      expect(response.headers['cache-control']).toContain('max-age=');
      expect(response.headers['content-disposition']).toMatch(/^inline; filename="?[0-9a-f-]{36}\.jpg"?$/);
    });

    it('answers 304 to a matching If-None-Match, with no body', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('If-None-Match', `"${image.sha256}"`);
      expect(response.status).toBe(304);
      expect(response.headers.etag).toBe(`"${image.sha256}"`);
      expect(response.text ?? '').toBe('');
    });

    it('answers 304 to a weak or listed If-None-Match too', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('If-None-Match', `"other", W/"${image.sha256}"`);
      expect(response.status).toBe(304);
    });

    it('answers 304 even when the client also sends Cache-Control: no-cache (as fetch() does)', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('If-None-Match', `"${image.sha256}"`)
        .set('Cache-Control', 'no-cache');
      expect(response.status).toBe(304);
    });

    it('answers 304 to If-None-Match: *', async () => {
      expect((await request(t.server).get(`/images/${image.id}/content`).set('If-None-Match', '*')).status).toBe(304);
    });

    it('lets If-None-Match win over If-Modified-Since', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('If-None-Match', '"other"')
        .set('If-Modified-Since', new Date(Date.now() + 60_000).toUTCString());
      expect(response.status).toBe(200);
    });

    it('answers 200 to an If-Modified-Since before creation', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('If-Modified-Since', 'Thu, 01 Jan 2015 00:00:00 GMT');
      expect(response.status).toBe(200);
    });

    it('answers 200 to a different If-None-Match', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('If-None-Match', '"something-else"');
      expect(response.status).toBe(200);
    });

    it('answers 304 to If-Modified-Since at or after creation', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('If-Modified-Since', new Date(Date.now() + 60_000).toUTCString());
      expect(response.status).toBe(304);
    });

    it('answers 206 with the exact slice for Range: bytes=a-b', async () => {
      const full = (await content()).body as Buffer;
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('Range', 'bytes=10-99')
        .buffer(true)
        .parse(binaryBody);
      expect(response.status).toBe(206);
      expect(response.headers['content-range']).toBe(`bytes 10-99/${image.size}`);
      expect(response.headers['content-length']).toBe('90');
      expect(Buffer.compare(response.body, full.subarray(10, 100))).toBe(0);
    });

    it('supports suffix and open-ended ranges', async () => {
      const full = (await content()).body as Buffer;
      const suffix = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('Range', 'bytes=-5')
        .buffer(true)
        .parse(binaryBody);
      expect(suffix.status).toBe(206);
      expect(Buffer.compare(suffix.body, full.subarray(full.length - 5))).toBe(0);
      const open = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('Range', `bytes=${full.length - 3}-`)
        .buffer(true)
        .parse(binaryBody);
      expect(Buffer.compare(open.body, full.subarray(full.length - 3))).toBe(0);
    });

    it('serves the whole image as 206 for a suffix longer than the image (RFC 9110 §14.1.3)', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('Range', `bytes=-${image.size + 1000}`)
        .buffer(true)
        .parse(binaryBody);
      expect(response.status).toBe(206);
      expect(response.headers['content-range']).toBe(`bytes 0-${image.size - 1}/${image.size}`);
      expect(response.body.length).toBe(image.size);
      expect((await request(t.server).get(`/images/${image.id}/content`).set('Range', 'bytes=-0')).status).toBe(416);
    });

    it('answers 412 when If-Match or If-Unmodified-Since does not hold, and serves when it does', async () => {
      const etag = `"${image.sha256}"`;
      const get = (header: string, value: string) =>
        request(t.server).get(`/images/${image.id}/content`).set(header, value);
      for (const [header, value] of [
        ['If-Match', '"another-version"'],
        ['If-Match', `W/${etag}`], // If-Match compares strongly
        ['If-Unmodified-Since', new Date(Date.parse(image.createdAt) - 60_000).toUTCString()],
      ] as const) {
        const refused = await get(header, value);
        expect(refused.status, `${header}: ${value}`).toBe(412);
        expect(refused.body.code).toBe('PRECONDITION_FAILED');
      }
      for (const [header, value] of [
        ['If-Match', etag],
        ['If-Match', `"x", ${etag}`],
        ['If-Match', '*'],
        ['If-Unmodified-Since', new Date(Date.parse(image.createdAt) + 60_000).toUTCString()],
      ] as const) {
        expect((await get(header, value)).status, `${header}: ${value}`).toBe(200);
      }
      expect((await request(t.server).head(`/images/${image.id}/content`).set('If-Match', '"nope"')).status).toBe(412);
    });

    it('honours If-Range with a date only when it is exactly Last-Modified', async () => {
      const lastModified = new Date(image.createdAt).toUTCString();
      const ranged = (ifRange: string) =>
        request(t.server).get(`/images/${image.id}/content`).set('Range', 'bytes=0-9').set('If-Range', ifRange);
      expect((await ranged(lastModified)).status).toBe(206);
      expect((await ranged(new Date(Date.parse(image.createdAt) + 86_400_000).toUTCString())).status).toBe(200);
      expect((await ranged(`"${image.sha256}"`)).status).toBe(206);
    });

    it('answers 416 with Content-Range for a range past the end', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('Range', `bytes=${image.size + 10}-${image.size + 20}`);
      expect(response.status).toBe(416);
      expect(response.headers['content-range']).toBe(`bytes */${image.size}`);
      expect(response.body.code).toBe('RANGE_NOT_SATISFIABLE');
    });

    it('ignores a malformed Range and serves the whole image', async () => {
      const response = await request(t.server).get(`/images/${image.id}/content`).set('Range', 'bytes=banana');
      expect(response.status).toBe(200);
    });

    it('ignores Range when If-Range names another version', async () => {
      const response = await request(t.server)
        .get(`/images/${image.id}/content`)
        .set('Range', 'bytes=0-9')
        .set('If-Range', '"stale"');
      expect(response.status).toBe(200);
      expect(response.headers['content-length']).toBe(String(image.size));
    });

    it('answers HEAD with the headers alone', async () => {
      const response = await request(t.server).head(`/images/${image.id}/content`);
      expect(response.status).toBe(200);
      expect(response.headers['content-length']).toBe(String(image.size));
      expect(response.headers['content-type']).toBe('image/jpeg');
      expect(response.headers.etag).toBe(`"${image.sha256}"`);
      expect(response.body).toEqual({});
    });

    it('answers 404 for an unknown image', async () => {
      const response = await request(t.server).get('/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f/content');
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('IMAGE_NOT_FOUND');
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    });
  });

  describe('GET /images (pagination)', () => {
    let ids: string[];

    // One image more than the default page, so the default is seen to cut the list short.
    const DEFAULT_LIMIT = 20;

    beforeAll(async () => {
      ids = [image.id];
      for (let i = 0; i < DEFAULT_LIMIT; i++) {
        const response = await request(t.server)
          .post('/images')
          .attach('file', await imageFixtures.png(10 + i, 10), `p${i}.png`);
        ids.push(response.body.id);
      }
    });

    it('walks every image exactly once, oldest first, following nextCursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const response: request.Response = await request(t.server)
          .get('/images')
          .query({ limit: 5, ...(cursor ? { cursor } : {}) });
        expect(response.status).toBe(200);
        seen.push(...response.body.items.map((item: { id: string }) => item.id));
        cursor = response.body.nextCursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(Math.ceil((DEFAULT_LIMIT + 1) / 5));
      expect(seen).toEqual(ids);
      expect([...seen].sort()).toEqual(seen);
    });

    it('defaults to LIST_DEFAULT_LIMIT (20) items', async () => {
      const response = await request(t.server).get('/images');
      expect(response.body.items.map((item: { id: string }) => item.id)).toEqual(ids.slice(0, DEFAULT_LIMIT));
      const rest = await request(t.server).get('/images').query({ cursor: response.body.nextCursor });
      expect(rest.body.items.map((item: { id: string }) => item.id)).toEqual(ids.slice(DEFAULT_LIMIT));
      expect(rest.body.nextCursor).toBeNull();
    });

    it.each([['0'], ['-1'], ['51'], ['abc'], ['1.5'], [''], ['1e1'], ['0x10'], ['+5'], ['5.0'], ['%205'], ['05']])(
      'refuses limit=%j with 400',
      async (limit) => {
        const response = await request(t.server).get(`/images?limit=${limit}`);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      },
    );

    it('refuses a repeated limit', async () => {
      expect((await request(t.server).get('/images?limit=1&limit=2')).status).toBe(400);
    });

    it.each([['cursor[]=abc'], ['limit[]=5'], ['cursor[a]=b'], ['limt=5'], ['cursor=a&cursor=b']])(
      'refuses %s with 400 rather than ignoring it and restarting from page one',
      async (query) => {
        const response = await request(t.server).get(`/images?${query}`);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      },
    );

    it('refuses cursors it did not issue: garbage, truncated, one byte changed, too long', async () => {
      const first = await request(t.server).get('/images').query({ limit: 2 });
      const cursor: string = first.body.nextCursor;
      const flipped = cursor.slice(0, 3) + (cursor[3] === 'A' ? 'B' : 'A') + cursor.slice(4);
      for (const bad of [
        'garbage',
        cursor.slice(0, -1),
        cursor.slice(0, cursor.length / 2),
        flipped,
        `${cursor}.x`,
        'a'.repeat(3000),
      ]) {
        const response = await request(t.server).get('/images').query({ cursor: bad });
        expect(response.status, bad).toBe(400);
        expect(response.body.code, bad).toMatch(/^(INVALID_CURSOR|VALIDATION_FAILED)$/);
      }
    });
  });

  describe('DELETE /images/:id', () => {
    it('answers 204, then 404, and the image is gone everywhere', async () => {
      const created = await request(t.server)
        .post('/images')
        .attach('file', await imageFixtures.gif(), 'g.gif');
      const id = created.body.id;
      const filesBefore = await t.storedFiles();
      const removed = await request(t.server).delete(`/images/${id}`);
      expect(removed.status).toBe(204);
      expect(removed.text ?? '').toBe('');
      expect((await request(t.server).delete(`/images/${id}`)).status).toBe(404);
      expect((await request(t.server).get(`/images/${id}`)).status).toBe(404);
      expect((await request(t.server).get(`/images/${id}/content`)).status).toBe(404);
      const listed = await request(t.server).get('/images?limit=50');
      expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(id);
      expect(await t.storedFiles()).toEqual(filesBefore.filter((file) => !file.includes(id)));
    });

    it('deletes conditionally: 412 and nothing removed unless If-Match / If-Unmodified-Since hold', async () => {
      const created = await request(t.server)
        .post('/images')
        .attach('file', await imageFixtures.png(), 'p.png');
      const { id, sha256, createdAt } = created.body;
      const before = new Date(Date.parse(createdAt) - 60_000).toUTCString();
      for (const [header, value] of [
        ['If-Match', '"someone-else-s-version"'],
        ['If-Unmodified-Since', before],
        ['If-None-Match', `"${sha256}"`],
      ] as const) {
        const refused = await request(t.server).delete(`/images/${id}`).set(header, value);
        expect(refused.status, header).toBe(412);
        expect(refused.body.code).toBe('PRECONDITION_FAILED');
        expect((await request(t.server).get(`/images/${id}`)).status).toBe(200);
      }
      expect((await request(t.server).delete(`/images/${id}`).set('If-Match', `"${sha256}"`)).status).toBe(204);
      expect((await request(t.server).delete(`/images/${id}`).set('If-Match', '*')).status).toBe(404);
    });

    it('refuses a malformed id with 400', async () => {
      expect((await request(t.server).delete('/images/..%2F..')).status).toBe(400);
    });
  });
});
