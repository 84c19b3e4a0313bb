// Inputs the service must refuse, each with its status and code, and each checked through the API to have left
// nothing behind in the listing. Requests that break the document on purpose go raw, straight to the target
// (rawFetch); their answers are still checked against it.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ImagestoreError } from '../clients/typescript/src/index.ts';
import {
  api,
  client,
  deleteQuietly,
  expectError,
  expectNothingNewListed,
  maxUploadBytes,
  rawFetch,
  unknownImageId,
  uploadOk,
} from './support/api';
import { makePng, makePngBomb, svg, text } from './support/images';

/** The typed client's upload must reject with the envelope's status and code. */
async function expectRefusedUpload(bytes: Uint8Array, filename: string, status: number[], codes: string[]) {
  const error = await client.uploadImage(bytes, { filename, contentType: 'image/png' }).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, 'the upload is refused').toBeInstanceOf(ImagestoreError);
  const refused = error as ImagestoreError;
  expect(status, refused.message).toContain(refused.status);
  expect(codes).toContain(refused.code);
  expect(refused.envelope).toMatchObject({ statusCode: refused.status, requestId: expect.any(String) });
}

const multipart = (parts: [string, Blob, string][]) => {
  const form = new FormData();
  for (const [field, blob, name] of parts) form.append(field, blob, name);
  return rawFetch('/images', { method: 'POST', body: form });
};

describe('refused uploads leave nothing behind', () => {
  it('SVG → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectNothingNewListed(() => expectRefusedUpload(svg, 'x.svg', [415], ['UNSUPPORTED_MEDIA_TYPE']));
  });

  it('plain text claiming to be a PNG → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectNothingNewListed(() => expectRefusedUpload(text, 'notes.png', [415], ['UNSUPPORTED_MEDIA_TYPE']));
  });

  it('zero-byte file → 400 EMPTY_FILE or MISSING_FILE', async () => {
    await expectNothingNewListed(() =>
      expectRefusedUpload(new Uint8Array(0), 'empty.png', [400], ['EMPTY_FILE', 'MISSING_FILE']),
    );
  });

  it('wrong field name → 400 MISSING_FILE', async () => {
    const png = await makePng(8, 8);
    await expectNothingNewListed(async () => {
      expectError(await multipart([['image', new Blob([new Uint8Array(png)]), 'a.png']]), 400, 'MISSING_FILE');
    });
  });

  it('no multipart body at all → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    await expectNothingNewListed(async () => {
      const response = await rawFetch('/images', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ file: 'nope' }),
      });
      expectError(response, [400, 415]);
    });
  });

  it('two files → 400 TOO_MANY_FILES', async () => {
    const png = new Blob([new Uint8Array(await makePng(8, 8))], { type: 'image/png' });
    await expectNothingNewListed(async () => {
      expectError(
        await multipart([
          ['file', png, 'a.png'],
          ['file', png, 'b.png'],
        ]),
        400,
        'TOO_MANY_FILES',
      );
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
    await expectNothingNewListed(() => expectRefusedUpload(bomb, 'bomb.png', [413, 422], codes));
  });

  it('a truncated PNG → 422 INVALID_IMAGE', async () => {
    const png = await makePng(64, 64);
    await expectNothingNewListed(() =>
      expectRefusedUpload(png.subarray(0, Math.floor(png.length / 2)), 'cut.png', [422], ['INVALID_IMAGE']),
    );
  });

  it(`over the upload limit (${maxUploadBytes} bytes) → 413 PAYLOAD_TOO_LARGE`, async () => {
    const png = await makePng(8, 8);
    const oversized = Buffer.concat([png, randomBytes(maxUploadBytes - png.length + 64 * 1024)]);
    await expectNothingNewListed(() => expectRefusedUpload(oversized, 'big.png', [413], ['PAYLOAD_TOO_LARGE']));
  });
});

describe('refused reads', () => {
  it('a made-up cursor → 400 INVALID_CURSOR', async () => {
    expectError(
      await api.GET('/images', { params: { query: { cursor: 'not-a-real-cursor' } } }),
      400,
      'INVALID_CURSOR',
    );
  });

  it('a tampered real cursor → 400 INVALID_CURSOR', async () => {
    const ids: string[] = [];
    try {
      for (const size of [9, 10]) ids.push((await uploadOk(await makePng(size, size), 'c.png', 'image/png')).id);
      const first = await api.GET('/images', { params: { query: { limit: 1 } } });
      const cursor = first.data!.nextCursor;
      expect(cursor, 'two images exist, so limit=1 has a next page').toBeTruthy();
      const flipped = cursor!.slice(0, -2) + (cursor!.at(-2) === 'A' ? 'B' : 'A') + cursor!.at(-1);
      expect(flipped).not.toBe(cursor);
      expectError(
        await api.GET('/images', { params: { query: { limit: 1, cursor: flipped } } }),
        400,
        'INVALID_CURSOR',
      );
      // The untouched cursor still works.
      expect((await api.GET('/images', { params: { query: { limit: 1, cursor: cursor! } } })).response.status).toBe(
        200,
      );
    } finally {
      for (const id of ids) await deleteQuietly(id);
    }
  });

  it.each(['0', '101', 'abc', '-1', '1.5'])('limit=%s → 400 VALIDATION_FAILED', async (limit) => {
    expectError(await rawFetch(`/images?limit=${limit}`), 400, 'VALIDATION_FAILED');
  });

  it('limits 1 and 100 are accepted', async () => {
    expect((await api.GET('/images', { params: { query: { limit: 1 } } })).response.status).toBe(200);
    expect((await api.GET('/images', { params: { query: { limit: 100 } } })).response.status).toBe(200);
  });

  it.each([
    ['not a UUID', '/images/not-a-uuid'],
    ['path traversal', '/images/..%2F..%2Fetc%2Fpasswd'],
    ['upper-case junk', '/images/ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ/content'],
  ])('a bad id (%s) → 400/404', async (_label, path) => {
    expectError(await rawFetch(path), [400, 404]);
  });

  it('an unknown valid id → 404 IMAGE_NOT_FOUND', async () => {
    const id = { params: { path: { id: unknownImageId } } };
    expectError(await api.GET('/images/{id}', id), 404, 'IMAGE_NOT_FOUND');
    expectError(await api.GET('/images/{id}/content', id), 404, 'IMAGE_NOT_FOUND');
    expectError(await api.DELETE('/images/{id}', id), 404, 'IMAGE_NOT_FOUND');
  });

  it('an unknown route → 404 ROUTE_NOT_FOUND in the error envelope', async () => {
    expectError(await rawFetch('/no-such-route'), 404, 'ROUTE_NOT_FOUND');
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
      const response = await rawFetch(path, { method });
      expectError(response, 405, 'METHOD_NOT_ALLOWED');
      const allow = (response.headers.get('allow') ?? '').split(',').map((item) => item.trim());
      expect(allow).toEqual(expect.arrayContaining(allowed));
      expect(allow).not.toContain(method);
    });
  });
});
