import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortedRequests, establishedConnectionsTo, eventually } from '../test/aborted-requests';
import { imageFixtures } from '../test/image-fixtures';
import { acquireLocalS3, s3AdminClient } from '../test/local-s3';
import { createTestApp, type TestApp } from '../test/test-app';

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
  const bucket = `imagestore-abort-${Date.now().toString(36)}`;
  const admin = s3AdminClient(server);
  let t: TestApp;
  let id: string;

  beforeAll(async () => {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
    t = await createTestApp({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: server.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: server.region,
      // Far longer than the test waits, so only a released connection counts, not one a timeout cut.
      S3_REQUEST_TIMEOUT_MS: '25000',
    });
    id = (
      await request(t.server)
        .post('/images')
        .attach('file', await imageFixtures.noisyJpeg(600, 90), 'a.jpg')
    ).body.id;
  });

  afterAll(async () => {
    await t?.close();
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
    const objects = (page.Contents ?? []).map(({ Key }) => ({ Key }));
    if (objects.length > 0)
      await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
    await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
    admin.destroy();
  });

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
