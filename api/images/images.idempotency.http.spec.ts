import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFixtures } from '../test/image-fixtures';
import { createTestApp, type TestApp } from '../test/test-app';
import { ImageStorage } from './image-storage';

describe('POST /images with Idempotency-Key', () => {
  let t: TestApp;
  let png: Buffer;
  let jpeg: Buffer;

  beforeAll(async () => {
    t = await createTestApp();
    [png, jpeg] = [await imageFixtures.png(), await imageFixtures.jpeg()];
  });
  afterAll(() => t.close());

  const upload = (bytes: Buffer, key?: string, name = 'photo.png') => {
    const pending = request(t.server).post('/images');
    if (key !== undefined) pending.set('Idempotency-Key', key);
    return pending.attach('file', bytes, name);
  };
  const imageCount = async () => (await request(t.server).get('/images?limit=100')).body.items.length as number;
  const freshKey = () => `"${randomUUID()}"`;

  it('answers a retry with the same key and file with the first image, and stores one', async () => {
    const key = freshKey();
    const countBefore = await imageCount();

    const first = await upload(png, key);
    const retry = await upload(png, key, 'another-name.png');

    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(await imageCount()).toBe(countBefore + 1);
  });

  it('refuses the same key with a different file (422 IDEMPOTENCY_KEY_MISMATCH), storing nothing', async () => {
    const key = freshKey();
    await upload(png, key);
    const countBefore = await imageCount();

    const other = await upload(jpeg, key);

    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_MISMATCH' });
    expect(await imageCount()).toBe(countBefore);
  });

  it('answers concurrent requests with one key with one image: the others get 409 or the replay', async () => {
    const key = freshKey();
    const countBefore = await imageCount();

    const responses = await Promise.all(Array.from({ length: 4 }, () => upload(png, key)));

    const created = responses.filter((response) => response.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((response) => response.body.id)).size).toBe(1);
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_USE' });
      expect(response.headers['retry-after']).toBe('1');
    }
    expect(await imageCount()).toBe(countBefore + 1);
  });

  it('answers 409 while the first request may still be running, and starts afresh once it cannot be', async () => {
    const key = randomUUID();
    const storage = t.app.get(ImageStorage);
    const keyHash = createHash('sha256').update(key).digest('hex');
    const fingerprint = createHash('sha256').update(png).digest('hex');
    const abandonedId = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';
    const soon = new Date(Date.now() + 60_000).toISOString();
    await storage.claimIdempotencyKey(keyHash, {
      imageId: abandonedId,
      fingerprint,
      expiresAt: soon,
      inFlightUntil: soon,
    });

    const inFlight = await upload(png, key);
    expect(inFlight.status).toBe(409);

    const current = await storage.findIdempotencyKey(keyHash);
    const past = new Date(Date.now() - 1000).toISOString();
    await storage.claimIdempotencyKey(
      keyHash,
      { imageId: abandonedId, fingerprint, expiresAt: soon, inFlightUntil: past },
      current!.version,
    );
    const afresh = await upload(png, key);
    expect(afresh.status).toBe(201);
    expect(afresh.body.id).not.toBe(abandonedId);
    expect((await upload(png, key)).body.id).toBe(afresh.body.id);
  });

  it('treats an expired key as new, even for other bytes', async () => {
    const key = randomUUID();
    const storage = t.app.get(ImageStorage);
    const keyHash = createHash('sha256').update(key).digest('hex');
    const past = new Date(Date.now() - 1000).toISOString();
    await storage.claimIdempotencyKey(keyHash, {
      imageId: '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f',
      fingerprint: '0'.repeat(64),
      expiresAt: past,
      inFlightUntil: past,
    });

    const response = await upload(jpeg, key);

    expect(response.status).toBe(201);
    expect(response.headers['idempotent-replayed']).toBeUndefined();
  });

  it('frees the key when the upload is refused, so a corrected retry goes through', async () => {
    const key = freshKey();
    const refused = await upload(Buffer.from('not an image at all'), key);
    expect(refused.status).toBe(415);

    // Same bytes again: processed again (and refused again), not a 409 or a stale replay.
    expect((await upload(Buffer.from('not an image at all'), key)).status).toBe(415);
  });

  it.each(['', '"unterminated', '"a"b"', 'spaces inside', `"${'x'.repeat(256)}"`, '"ü"'])(
    'refuses Idempotency-Key %j with 400 INVALID_IDEMPOTENCY_KEY',
    async (key) => {
      const countBefore = await imageCount();
      const response = await upload(png, key);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'INVALID_IDEMPOTENCY_KEY' });
      expect(await imageCount()).toBe(countBefore);
    },
  );

  it("accepts a bare token as well as the draft's quoted string, as the same key", async () => {
    const token = randomUUID();
    const first = await upload(png, token);
    const quoted = await upload(png, `"${token}"`);
    expect(first.status).toBe(201);
    expect(quoted.headers['idempotent-replayed']).toBe('true');
    expect(quoted.body.id).toBe(first.body.id);
  });
});
