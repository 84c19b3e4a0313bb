// Presigned upload straight to S3: POST /images/uploads → presigned POST to the bucket → complete, through the
// typed client's one-call uploadDirect. Only targets that run on S3 offer it; the others answer 501
// DIRECT_UPLOAD_UNAVAILABLE and the tests are skipped with that reason.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImagestoreError } from '../clients/typescript/src/index.ts';
import { api, client, deleteQuietly, expectError, rawFetch, sha256 } from './support/api';
import { decode, makePng, text } from './support/images';

let unavailable: string | undefined;

beforeAll(async () => {
  const started = await api.POST('/images/uploads');
  if (started.response.status === 501) {
    unavailable = expectError(started, 501, 'DIRECT_UPLOAD_UNAVAILABLE').message;
    return;
  }
  expect(started.response.status).toBe(201);
  expect(started.data).toMatchObject({
    uploadId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    url: expect.stringMatching(/^https?:\/\//),
    fields: expect.any(Object),
    maxBytes: expect.any(Number),
    completeUrl: expect.stringMatching(new RegExp(`/images/uploads/${started.data!.uploadId}/complete$`)),
  });
  expect(Date.parse(started.data!.expiresAt)).toBeGreaterThan(Date.now());
});

describe('direct upload to S3', () => {
  it('stores an image uploaded with a presigned POST', async (context) => {
    if (unavailable) return context.skip(`target does not store on S3 (501 DIRECT_UPLOAD_UNAVAILABLE: ${unavailable})`);
    const png = await makePng(33, 22);
    const progress: number[] = [];
    const image = await client.uploadDirect(png, {
      filename: 'direct.png',
      contentType: 'image/png',
      onProgress: ({ loaded }) => progress.push(loaded),
    });
    try {
      expect(image).toMatchObject({ contentType: 'image/png', width: 33, height: 22 });
      expect(progress.at(-1)).toBe(png.length);
      const { data, response } = await api.GET('/images/{id}/content', {
        params: { path: { id: image.id } },
        parseAs: 'arrayBuffer',
      });
      expect(response.status).toBe(200);
      const stored = Buffer.from(data as ArrayBuffer);
      expect(sha256(stored)).toBe(image.sha256);
      expect(await decode(stored)).toMatchObject({ format: 'png', width: 33, height: 22 });
    } finally {
      await deleteQuietly(image.id);
    }
  });

  // Storage takes any bytes it is given under the policy's size limit; deciding what is an image is the
  // service's job, at the complete call.
  it('refuses to complete an upload whose object is not an image → 415', async (context) => {
    if (unavailable) return context.skip(`target does not store on S3 (501 DIRECT_UPLOAD_UNAVAILABLE: ${unavailable})`);
    const error = await client.uploadDirect(text, { filename: 'notes.png', contentType: 'image/png' }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ImagestoreError);
    expect(error).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('completing an unknown upload → 404 UPLOAD_NOT_FOUND', async (context) => {
    if (unavailable) return context.skip(`target does not store on S3 (501 DIRECT_UPLOAD_UNAVAILABLE: ${unavailable})`);
    const unknown = { params: { path: { uploadId: randomUUID() } } };
    expectError(await api.POST('/images/uploads/{uploadId}/complete', unknown), 404, 'UPLOAD_NOT_FOUND');
  });

  it('completing with an id that is not a UUIDv4 → 400 VALIDATION_FAILED', async (context) => {
    if (unavailable) return context.skip(`target does not store on S3 (501 DIRECT_UPLOAD_UNAVAILABLE: ${unavailable})`);
    const uuidV7 = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    expectError(await rawFetch(`/images/uploads/${uuidV7}/complete`, { method: 'POST' }), 400, 'VALIDATION_FAILED');
  });
});
