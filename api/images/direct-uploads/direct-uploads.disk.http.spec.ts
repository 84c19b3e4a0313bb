import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/test-app';

describe('direct uploads with the disk driver', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('POST /images/uploads answers 501 DIRECT_UPLOAD_UNAVAILABLE', async () => {
    const response = await request(t.server).post('/images/uploads');
    expect(response.status).toBe(501);
    expect(response.body).toMatchObject({ statusCode: 501, code: 'DIRECT_UPLOAD_UNAVAILABLE' });
  });

  it('POST /images/uploads/:id/complete answers 501 too', async () => {
    const response = await request(t.server).post('/images/uploads/3b241101-e2bb-4255-8caf-4136c566a962/complete');
    expect(response.status).toBe(501);
  });

  it('refuses a malformed upload id with 400 before anything else', async () => {
    const response = await request(t.server).post('/images/uploads/..%2F..%2Fimages%2Fx/complete');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('leaves the store untouched', async () => {
    expect(await t.storedFiles()).toEqual([]);
  });
});
