import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acquireLocalS3, s3AdminClient, s3TestOptions } from '../../test/local-s3';
import { chunked, sampleImage } from '../../test/storage-fixtures';
import type { ImageRecord } from '../image-record';
import { RecordCache } from './record-cache';
import { toObjectMetadata } from './s3-object-metadata';
import { S3ImageStorage } from './s3.image-storage';

// Two adapters on one bucket stand for two Lambda instances, each with its own cache.
describe(`${S3ImageStorage.name} listing with a record cache, against a real S3 server`, async () => {
  const localS3 = await acquireLocalS3();
  afterAll(() => localS3.release());
  if (!localS3.available) {
    it.skip(`needs an S3 server: ${localS3.reason.split('\n')[0]}`, () => undefined);
    return;
  }
  const server = localS3.server;
  let admin: S3Client;
  let bucket: string;
  let cache: RecordCache;
  let storage: S3ImageStorage;
  let other: S3ImageStorage;
  let heads: number;

  beforeAll(() => {
    admin = s3AdminClient(server);
  });
  afterAll(() => admin.destroy());

  /** An adapter on the test bucket; `countHeads` counts the HEAD requests its client sends. */
  function adapter(recordCache: RecordCache, countHeads = false): S3ImageStorage {
    return new S3ImageStorage({
      ...s3TestOptions(server, bucket),
      recordCache,
      instrumentClient: (client) => {
        if (countHeads) {
          (client as S3Client).middlewareStack.add(
            (next, context) => (args) => {
              if (context.commandName === 'HeadObjectCommand') heads += 1;
              return next(args);
            },
            { step: 'initialize' },
          );
        }
        return client;
      },
    });
  }

  beforeEach(async () => {
    bucket = `imagestore-test-${randomUUID().slice(0, 13)}`;
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    heads = 0;
    cache = new RecordCache(100);
    storage = adapter(cache, true);
    other = adapter(new RecordCache(100));
  });

  afterEach(async () => {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const { Key } of page.Contents ?? []) await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
    await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  async function stored(count: number): Promise<{ records: ImageRecord[]; bytes: Buffer[] }> {
    const images = Array.from({ length: count }, (_, index) => sampleImage({ originalName: `${index}.png` }));
    for (const { record, bytes } of images) await storage.put(record, chunked(bytes));
    heads = 0;
    return { records: images.map(({ record }) => record), bytes: images.map(({ bytes }) => bytes) };
  }

  const listAll = async (from: S3ImageStorage) => (await from.list({ limit: 100 })).items;

  it('HEADs each record once, then lists from the cache without a HEAD', async () => {
    const { records } = await stored(5);

    expect(await listAll(storage)).toEqual(records);
    expect(heads).toBe(5);
    expect(await listAll(storage)).toEqual(records);
    expect(heads).toBe(5);
    expect(cache.hits).toBe(5);
  });

  it('HEADs every record on every page with the cache off', async () => {
    storage = adapter(new RecordCache(0), true);
    const { records } = await stored(3);

    await listAll(storage);
    expect(await listAll(storage)).toEqual(records);
    expect(heads).toBe(6);
  });

  it('evicts a record on delete', async () => {
    const { records } = await stored(2);
    await listAll(storage);
    expect(cache.size).toBe(2);

    expect(await storage.delete(records[0]!.id)).toBe(true);

    expect(cache.size).toBe(1);
    expect(await listAll(storage)).toEqual([records[1]]);
  });

  it('never holds more records than its maximum, and still lists every one', async () => {
    cache = new RecordCache(3);
    storage = adapter(cache, true);
    const { records } = await stored(8);

    for (let pass = 0; pass < 2; pass++) {
      expect(await listAll(storage)).toEqual(records);
      expect(cache.size).toBe(3);
    }
  });

  it('neither lists nor heads an image another instance deleted', async () => {
    const { records } = await stored(2);
    await listAll(storage);

    expect(await other.delete(records[1]!.id)).toBe(true);

    expect(await listAll(storage)).toEqual([records[0]]);
    expect(await storage.head(records[1]!.id)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  // The hardest replacement to notice: the same bytes (so the same ETag and size) with other metadata, at once.
  it('lists the new record of an object replaced behind its back', async () => {
    const { records, bytes } = await stored(1);
    await listAll(storage);
    const replaced: ImageRecord = { ...records[0]!, originalName: 'renamed.png' };

    await admin.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `images/${replaced.id}`,
        Body: bytes[0],
        ContentType: replaced.contentType,
        Metadata: toObjectMetadata(replaced),
      }),
    );

    expect(await listAll(storage)).toEqual([replaced]);
    expect(await listAll(storage)).toEqual([replaced]);
    expect(heads).toBe(2);
  });
});
