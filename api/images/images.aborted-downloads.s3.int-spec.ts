import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortedRequests, establishedConnectionsTo, eventually } from '../test/aborted-requests';
import { imageFixtures } from '../test/image-fixtures';
import { acquireLocalS3 } from '../test/local-s3';
import { createS3TestApp, type S3TestApp } from '../test/s3-test-app';
import type { TestApp } from '../test/test-app';

// Long enough for a busy machine to finish the requests it already took; far shorter than the S3 timeout below,
// so a leaked connection cannot be rescued by it.
const SETTLE_MS = 15_000;

/** Aborted downloads must hand their S3 connection back: a leaked one holds a slot of the client's pool. */
describe('downloads the client abandons (S3)', async () => {
  const localS3 = await acquireLocalS3();
  afterAll(() => localS3.release());
  if (!localS3.available) {
    it.skip(`needs an S3 server: ${localS3.reason}`);
    return;
  }
  const server = localS3.server;
  const s3Port = Number(new URL(server.endpoint).port);
  let s3: S3TestApp;
  let t: TestApp;
  let id: string;

  beforeAll(async () => {
    s3 = await createS3TestApp(server, 'imagestore-abort', {
      // Far longer than the test waits, so only a released connection counts, not one a timeout cut.
      S3_REQUEST_TIMEOUT_MS: '25000',
    });
    t = s3.t;
    id = (
      await request(t.server)
        .post('/images')
        .attach('file', await imageFixtures.noisyJpeg(600, 90), 'a.jpg')
    ).body.id;
  });

  afterAll(() => s3?.close());

  it.each([
    ['a plain GET', ''],
    ['a ranged GET', 'Range: bytes=100-\r\n'],
  ])('releases every S3 connection after hundreds of aborted downloads (%s)', async (_name, extraHeaders) => {
    await abortedRequests(t.server, `GET /images/${id}/content HTTP/1.1\r\nHost: x\r\n${extraHeaders}\r\n`, 200);
    // Idle keep-alive connections may stay; a leaked download holds its connection for good (the pool has 64).
    const open = await eventually(
      () => establishedConnectionsTo(s3Port),
      (n) => n <= 8,
      SETTLE_MS,
    );
    expect(open).toBeLessThanOrEqual(8);
    const honest = await Promise.all(Array.from({ length: 20 }, () => request(t.server).get(`/images/${id}/content`)));
    expect(honest.map((response) => response.status)).toEqual(Array(20).fill(200));
  });
});
