import { rm, writeFile } from 'node:fs/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/test-app';

describe('GET /health', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is up when storage answers', async () => {
    const response = await request(t.server).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', info: { storage: { status: 'up' } } });
  });

  it('answers 503 with Retry-After while storage is unusable, and recovers by itself', async () => {
    await rm(t.storageDir, { recursive: true, force: true });
    await writeFile(t.storageDir, 'a file where the storage directory should be');
    const down = await request(t.server).get('/health');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.body).toMatchObject({ statusCode: 503, code: 'STORAGE_UNAVAILABLE' });
    expect(down.body.message).toMatch(/E(NOTDIR|EXIST)/);

    await rm(t.storageDir);
    const up = await request(t.server).get('/health');
    expect(up.status).toBe(200);
  });
});
