// Presigned upload straight to S3: POST /images/uploads → presigned POST to the bucket → complete. Only targets
// that run on S3 offer it; the others answer 501 DIRECT_UPLOAD_UNAVAILABLE and the test is skipped with that reason.
import { describe, expect, it } from 'vitest';
import { api, deleteQuietly, expectError, type ImageMetadata, sha256 } from './support/api';
import { decode, makePng, text } from './support/images';

interface DirectUpload {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
  maxBytes: number;
  expiresAt: string;
  completeUrl: string;
}

async function startDirectUpload(): Promise<{ unavailable: string } | { upload: DirectUpload }> {
  const response = await api('/images/uploads', { method: 'POST' });
  if (response.status === 501) {
    expectError(response, 501, 'DIRECT_UPLOAD_UNAVAILABLE');
    return { unavailable: response.json<{ message: string }>().message };
  }
  expect(response.status, response.body.toString('utf8').slice(0, 500)).toBe(201);
  return { upload: response.json<DirectUpload>() };
}

/** The presigned POST itself goes to S3, not to the API: no API key, no x-request-id. */
async function postToBucket(upload: DirectUpload, bytes: Uint8Array, type: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), 'direct.png');
  return fetch(upload.url, { method: 'POST', body: form });
}

describe('direct upload to S3', () => {
  it('stores an image uploaded with a presigned POST', async (context) => {
    const started = await startDirectUpload();
    if ('unavailable' in started) {
      context.skip(`target does not store on S3 (501 DIRECT_UPLOAD_UNAVAILABLE: ${started.unavailable})`);
      return;
    }
    const { upload } = started;
    const id = upload.uploadId;
    expect(id, 'the upload has an id').toMatch(/^[0-9a-f-]{36}$/);
    expect(upload.url).toMatch(/^https?:\/\//);
    expect(upload.fields).toBeTypeOf('object');
    expect(upload.maxBytes).toBeGreaterThan(0);
    expect(Date.parse(upload.expiresAt)).toBeGreaterThan(Date.now());
    expect(upload.completeUrl).toMatch(new RegExp(`/images/uploads/${id}/complete$`));

    const png = await makePng(33, 22);
    const stored = await postToBucket(upload, png, 'image/png');
    expect([200, 201, 204], await stored.clone().text()).toContain(stored.status);

    const completed = await api(`/images/uploads/${id}/complete`, { method: 'POST' });
    expect([200, 201], completed.body.toString('utf8').slice(0, 500)).toContain(completed.status);
    const image = completed.json<ImageMetadata>();
    try {
      expect(image).toMatchObject({ contentType: 'image/png', width: 33, height: 22 });
      const content = await api(`/images/${image.id}/content`);
      expect(content.status).toBe(200);
      expect(sha256(content.body)).toBe(image.sha256);
      expect(await decode(content.body)).toMatchObject({ format: 'png', width: 33, height: 22 });
    } finally {
      await deleteQuietly(image.id);
    }
  });

  it('refuses to complete an upload whose object is not an image', async (context) => {
    const started = await startDirectUpload();
    if ('unavailable' in started) {
      context.skip(`target does not store on S3 (501 DIRECT_UPLOAD_UNAVAILABLE: ${started.unavailable})`);
      return;
    }
    const { upload } = started;
    const id = upload.uploadId;
    const stored = await postToBucket(upload, text, 'image/png');
    // The bucket policy may already refuse it; if it took the bytes, completing must not.
    if (stored.status < 300) {
      expectError(await api(`/images/uploads/${id}/complete`, { method: 'POST' }), [415, 422]);
    }
  });

  it('completing an unknown upload → 404', async (context) => {
    const started = await startDirectUpload();
    if ('unavailable' in started) {
      context.skip(`target does not store on S3 (501 DIRECT_UPLOAD_UNAVAILABLE: ${started.unavailable})`);
      return;
    }
    expectError(
      await api('/images/uploads/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/complete', { method: 'POST' }),
      [400, 404],
    );
  });
});
