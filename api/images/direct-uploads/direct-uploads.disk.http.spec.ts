import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app';

describe('direct uploads with the disk driver', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  /** Each refusal on its own leaves the store untouched, whichever tests ran before it. */
  const refuse = async (path: string) => {
    const before = await t.storedFiles();
    const response = await request(t.server).post(path);
    expect(await t.storedFiles()).toEqual(before);
    return response;
  };

  it('POST /images/uploads answers 501 DIRECT_UPLOAD_UNAVAILABLE and stores nothing', async () => {
    const response = await refuse('/images/uploads');
    expect(response.status).toBe(501);
    expect(response.body).toMatchObject({ statusCode: 501, code: 'DIRECT_UPLOAD_UNAVAILABLE' });
  });

  it('POST /images/uploads/:id/complete answers 501 too and stores nothing', async () => {
    const response = await refuse('/images/uploads/3b241101-e2bb-4255-8caf-4136c566a962/complete');
    expect(response.status).toBe(501);
    expect(response.body.code).toBe('DIRECT_UPLOAD_UNAVAILABLE');
  });

  it('refuses a malformed upload id with 400 before anything else', async () => {
    const response = await refuse('/images/uploads/..%2F..%2Fimages%2Fx/complete');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });
});
