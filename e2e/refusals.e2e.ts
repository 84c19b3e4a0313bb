// Inputs the service must refuse, each with its status and code, and each checked through the API to have left
// nothing behind in the listing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  api,
  deleteQuietly,
  expectError,
  expectNothingNewListed,
  maxUploadBytes,
  unknownImageId,
  upload,
  uploadOk,
} from './support/api';
import { makePng, makePngBomb, svg, text } from './support/images';

describe('refused uploads leave nothing behind', () => {
  it('SVG → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectNothingNewListed(async () => {
      expectError(await upload(svg, { filename: 'x.svg', type: 'image/svg+xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('plain text claiming to be a PNG → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectNothingNewListed(async () => {
      expectError(await upload(text, { filename: 'notes.png', type: 'image/png' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('zero-byte file → 400', async () => {
    await expectNothingNewListed(async () => {
      expectError(await upload(new Uint8Array(0), { filename: 'empty.png', type: 'image/png' }), 400);
    });
  });

  it('wrong field name → 400', async () => {
    const png = await makePng(8, 8);
    await expectNothingNewListed(async () => {
      expectError(await upload(png, { field: 'image', filename: 'a.png', type: 'image/png' }), 400);
    });
  });

  it('no multipart body at all → 400 or 415', async () => {
    await expectNothingNewListed(async () => {
      const response = await api('/images', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ file: 'nope' }),
      });
      expectError(response, [400, 415]);
    });
  });

  it('two files → 400', async () => {
    const png = await makePng(8, 8);
    await expectNothingNewListed(async () => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'a.png');
      form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'b.png');
      expectError(await api('/images', { method: 'POST', body: form }), 400);
    });
  });

  it.each([
    ['a header-declared 50000×50000 PNG (pixel bomb)', 50_000, 50_000, ['IMAGE_TOO_MANY_PIXELS', 'PAYLOAD_TOO_LARGE']],
    [
      'a header-declared 1×39,000,000 PNG (a strip within 40 MP, costly to decode)',
      1,
      39_000_000,
      ['IMAGE_TOO_LARGE_DIMENSIONS', 'IMAGE_TOO_MANY_PIXELS'],
    ],
  ])('%s → 413/422', async (_name, width, height, codes) => {
    const bomb = await makePngBomb(width, height);
    await expectNothingNewListed(async () => {
      expectError(await upload(bomb, { filename: 'bomb.png', type: 'image/png' }), [413, 422], codes);
    });
  });

  it('a truncated PNG → 422 INVALID_IMAGE', async () => {
    const png = await makePng(64, 64);
    await expectNothingNewListed(async () => {
      expectError(
        await upload(png.subarray(0, Math.floor(png.length / 2)), { filename: 'cut.png', type: 'image/png' }),
        [400, 422],
        'INVALID_IMAGE',
      );
    });
  });

  it(`over the upload limit (${maxUploadBytes} bytes) → 413 PAYLOAD_TOO_LARGE`, async () => {
    const png = await makePng(8, 8);
    const oversized = Buffer.concat([png, randomBytes(maxUploadBytes - png.length + 64 * 1024)]);
    await expectNothingNewListed(async () => {
      expectError(await upload(oversized, { filename: 'big.png', type: 'image/png' }), 413, 'PAYLOAD_TOO_LARGE');
    });
  });
});

describe('refused reads', () => {
  it('a made-up cursor → 400 INVALID_CURSOR', async () => {
    expectError(await api('/images?cursor=not-a-real-cursor'), 400, 'INVALID_CURSOR');
  });

  it('a tampered real cursor → 400 INVALID_CURSOR', async () => {
    const ids: string[] = [];
    try {
      for (const size of [9, 10]) ids.push((await uploadOk(await makePng(size, size), 'c.png', 'image/png')).id);
      const first = await api('/images?limit=1');
      const cursor: string | null = first.json<{ nextCursor: string | null }>().nextCursor;
      expect(cursor, 'two images exist, so limit=1 has a next page').toBeTruthy();
      const flipped = cursor!.slice(0, -2) + (cursor!.at(-2) === 'A' ? 'B' : 'A') + cursor!.at(-1);
      expect(flipped).not.toBe(cursor);
      expectError(await api(`/images?limit=1&cursor=${encodeURIComponent(flipped)}`), 400, 'INVALID_CURSOR');
      // The untouched cursor still works.
      expect((await api(`/images?limit=1&cursor=${encodeURIComponent(cursor!)}`)).status).toBe(200);
    } finally {
      for (const id of ids) await deleteQuietly(id);
    }
  });

  it.each(['0', '101', 'abc', '-1', '1.5'])('limit=%s → 400 VALIDATION_FAILED', async (limit) => {
    expectError(await api(`/images?limit=${limit}`), 400, 'VALIDATION_FAILED');
  });

  it('limits 1 and 100 are accepted', async () => {
    expect((await api('/images?limit=1')).status).toBe(200);
    expect((await api('/images?limit=100')).status).toBe(200);
  });

  it.each([
    ['not a UUID', '/images/not-a-uuid'],
    ['path traversal', '/images/..%2F..%2Fetc%2Fpasswd'],
    ['upper-case junk', '/images/ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ/content'],
  ])('a bad id (%s) → 400/404', async (_label, path) => {
    expectError(await api(path), [400, 404]);
  });

  it('an unknown valid id → 404 IMAGE_NOT_FOUND', async () => {
    expectError(await api(`/images/${unknownImageId}`), 404, 'IMAGE_NOT_FOUND');
    expectError(await api(`/images/${unknownImageId}/content`), 404, 'IMAGE_NOT_FOUND');
    expectError(await api(`/images/${unknownImageId}`, { method: 'DELETE' }), 404, 'IMAGE_NOT_FOUND');
  });

  it('an unknown route → 404 in the error envelope', async () => {
    expectError(await api('/no-such-route'), 404);
  });
});

describe('wrong methods', () => {
  it.each([
    ['PUT', '/images', ['GET', 'POST']],
    ['PATCH', `/images/${unknownImageId}`, ['GET', 'DELETE']],
    ['POST', `/images/${unknownImageId}/content`, ['GET', 'HEAD']],
    ['DELETE', '/images', ['GET', 'POST']],
  ])('%s %s → 405 with Allow', async (method, path, allowed) => {
    await expectNothingNewListed(async () => {
      const response = await api(path, { method });
      expectError(response, 405, 'METHOD_NOT_ALLOWED');
      const allow = (response.headers.get('allow') ?? '').split(',').map((item) => item.trim());
      expect(allow).toEqual(expect.arrayContaining(allowed));
      expect(allow).not.toContain(method);
    });
  });
});
