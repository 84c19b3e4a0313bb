import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Logger } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { freezeGatewayOnImagePut } from '../../test/frozen-gateway';
import { acquireLocalS3, localGatewayPid, s3AdminClient, s3TestOptions, type S3TestServer } from '../../test/local-s3';
import { StagedUploadTooLargeError } from '../direct-uploads/direct-upload-store';
import {
  chunked,
  describeImageStorageContract,
  failingMidway,
  readAll,
  sampleImage,
  sha256,
} from './image-storage.contract';
import { RecordCache } from './record-cache';
import { S3ImageStorage, type S3ImageStorageOptions } from './s3.image-storage';
import { StorageFailureError, StorageUnavailableError, UploadOutcomeUnknownError } from '../image-storage.errors';

// Collected asynchronously: whether there is a server decides which tests exist.
describe(`${S3ImageStorage.name} against a real S3 server`, async () => {
  const localS3 = await acquireLocalS3();
  afterAll(() => localS3.release());
  if (!localS3.available) {
    it.skip(`needs an S3 server: ${localS3.reason.split('\n')[0]}`, () => undefined);
    return;
  }
  const server: S3TestServer = localS3.server;
  let admin: S3Client;

  beforeAll(() => {
    admin = s3AdminClient(server);
  });
  afterAll(() => admin.destroy());

  const optionsFor = (bucket: string, overrides: Partial<S3ImageStorageOptions> = {}): S3ImageStorageOptions => ({
    ...s3TestOptions(server, bucket),
    ...overrides,
  });

  /** Each test gets its own empty bucket, so listings see only what the test stored. */
  async function freshBucket(): Promise<string> {
    const bucket = `imagestore-test-${randomUUID().slice(0, 13)}`;
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    return bucket;
  }

  async function removeBucket(bucket: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      await Promise.all(
        (page.Contents ?? []).map(({ Key }) => admin.send(new DeleteObjectCommand({ Bucket: bucket, Key }))),
      );
      token = page.NextContinuationToken;
    } while (token);
    await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  }

  // With the record cache on, as configured by default.
  describeImageStorageContract(S3ImageStorage.name, async () => {
    const bucket = await freshBucket();
    const storage = new S3ImageStorage(optionsFor(bucket, { recordCache: new RecordCache(100) }));
    return {
      storage,
      storedObjects: async () => {
        const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
        return (page.Contents ?? []).map(({ Key }) => Key ?? '').sort();
      },
      cleanup: async () => {
        await removeBucket(bucket);
      },
    };
  });

  describe('S3 specifics', () => {
    let bucket: string;
    let storage: S3ImageStorage;

    beforeEach(async () => {
      bucket = await freshBucket();
      storage = new S3ImageStorage(optionsFor(bucket));
    });

    afterEach(async () => {
      await removeBucket(bucket);
    });

    it('keeps the record as Content-Type and ASCII user metadata on the object itself', async () => {
      const { record, bytes } = sampleImage({ contentType: 'image/webp' });

      await storage.put(record, chunked(bytes));

      const raw = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `images/${record.id}` }));
      expect(raw.ContentType).toBe('image/webp');
      expect(raw.ContentLength).toBe(record.size);
      expect(raw.Metadata).toMatchObject({
        size: String(record.size),
        width: '640',
        height: '480',
        sha256: record.sha256,
        'created-at': record.createdAt,
      });
      for (const value of Object.values(raw.Metadata ?? {})) expect(value).toMatch(/^[\x21-\x7e]+$/);
    });

    it('round-trips a hostile original name (unicode, RTL override, quotes, CR LF)', async () => {
      const originalName = 'Ünïcødé 写真 \u202Egnp.exe "double" \'single\' 📷\r\nX-Injected: 1 %41.png';
      const { record, bytes } = sampleImage({ originalName });

      await storage.put(record, chunked(bytes));

      expect((await storage.head(record.id))?.originalName).toBe(originalName);
      const opened = await storage.open(record.id);
      opened?.body.destroy();
      expect(opened?.record.originalName).toBe(originalName);
      expect((await storage.list({ limit: 5 })).items[0]?.originalName).toBe(originalName);
      const raw = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `images/${record.id}` }));
      expect(raw.Metadata?.['original-name']).toMatch(/^[\x21-\x7e]+$/);
      expect(raw.Metadata?.['x-injected']).toBeUndefined();
    });

    // AWS caps user metadata at 2 KB and answers MetadataTooLarge beyond it; RGW does not check, so the size is
    // asserted here. A 255-code-point name (the largest MAX_ORIGINAL_NAME_LENGTH) of 4-byte emoji is the worst case.
    it("keeps the metadata of a maximal original name within S3's 2 KB limit", async () => {
      const { record, bytes } = sampleImage({ originalName: '📷'.repeat(255) });
      await storage.put(record, chunked(bytes));

      const raw = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `images/${record.id}` }));
      const metadataBytes = Object.entries(raw.Metadata ?? {}).reduce((sum, [k, v]) => sum + k.length + v.length, 0);
      expect(metadataBytes).toBeLessThanOrEqual(2048);
      expect((await storage.head(record.id))?.originalName).toBe('📷'.repeat(255));
    });

    it('sends the SHA-256 with every write as x-amz-checksum-sha256', async () => {
      // RGW 16 accepts any checksum, so check what goes over the wire instead.
      const proxy = await startProxy(new URL(server.endpoint), 0);
      const viaProxy = new S3ImageStorage(optionsFor(bucket, { endpoint: proxy.endpoint }));
      const { record, bytes } = sampleImage();
      try {
        await viaProxy.put(record, chunked(bytes));
      } finally {
        await proxy.close();
      }
      const expected = Buffer.from(record.sha256, 'hex').toString('base64');
      expect(proxy.received()).toMatch(new RegExp(`^x-amz-checksum-sha256: ${escapeRegExp(expected)}\\r$`, 'im'));
      expect(proxy.received()).not.toMatch(/aws-chunked/i);
    });

    it('streams the body of open', async () => {
      const { record, bytes } = sampleImage({ size: 300_000 });
      await storage.put(record, chunked(bytes));

      const opened = await storage.open(record.id);

      expect(opened?.body).toBeInstanceOf(Readable);
      expect(sha256(await readAll(opened!.body))).toBe(record.sha256);
    });

    it('lists only image keys and skips an image deleted between LIST and HEAD', async () => {
      const [kept, doomed] = [sampleImage(), sampleImage()];
      await storage.put(kept.record, chunked(kept.bytes));
      await storage.put(doomed.record, chunked(doomed.bytes));
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'images/not-an-id', Body: 'x' }));
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `incoming/${randomUUID()}`, Body: 'x' }));
      // Deleted by "another instance" just before this adapter's HEAD of it leaves.
      const doomedKey = `images/${doomed.record.id}`;
      const lister = new S3ImageStorage(
        optionsFor(bucket, {
          instrumentClient: (client) => {
            (client as S3Client).middlewareStack.add(
              (next, context) => async (args) => {
                const { Key } = args.input as { Key?: string };
                if (context.commandName === 'HeadObjectCommand' && Key === doomedKey) {
                  await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
                }
                return next(args);
              },
              { step: 'initialize' },
            );
            return client;
          },
        }),
      );

      const page = await lister.list({ limit: 10 });

      expect(page.items).toEqual([kept.record]);
    });

    it('treats an object it did not write as absent rather than make up a record', async () => {
      const id = sampleImage().record.id;
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `images/${id}`, Body: 'x' }));

      expect(await storage.head(id)).toBeUndefined();
      expect(await storage.open(id)).toBeUndefined();
      expect((await storage.list({ limit: 5 })).items).toEqual([]);
    });

    describe('errors', () => {
      it('reports a wrong secret key as StorageFailureError, without the secret in the message', async () => {
        const secret = 'definitely-wrong-secret';
        const wrong = new S3ImageStorage(
          optionsFor(bucket, { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: secret } }),
        );
        const { record, bytes } = sampleImage();

        for (const error of [
          await errorOf(wrong.checkReady()),
          await errorOf(wrong.head(record.id)),
          await errorOf(wrong.open(record.id)),
          await errorOf(wrong.list({ limit: 5 })),
          await errorOf(wrong.put(record, chunked(bytes))),
          await errorOf(wrong.presigned.readIncoming(randomUUID(), 100)),
        ]) {
          expect(error).toBeInstanceOf(StorageFailureError);
          expect((error as Error).message).not.toContain(secret);
          expect((error as Error).cause).toBeDefined();
        }
      });

      it('reports a missing bucket as StorageFailureError from checkReady and list', async () => {
        const missing = new S3ImageStorage(optionsFor(`imagestore-missing-${randomUUID().slice(0, 8)}`));

        await expect(missing.checkReady()).rejects.toThrow(StorageFailureError);
        await expect(missing.list({ limit: 1 })).rejects.toThrow(StorageFailureError);
      });

      it('reports an endpoint that refuses connections as StorageUnavailableError, quickly', async () => {
        const refusing = new S3ImageStorage(
          optionsFor(bucket, { endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 3 }),
        );
        const { record, bytes } = sampleImage();
        const started = Date.now();

        for (const error of [
          await errorOf(refusing.checkReady()),
          await errorOf(refusing.head(record.id)),
          await errorOf(refusing.list({ limit: 5 })),
          await errorOf(refusing.put(record, chunked(bytes))),
        ]) {
          expect(error).toBeInstanceOf(StorageUnavailableError);
          expect((error as StorageUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
        }
        // Refused connections fail at once; only the SDK's short backoff between attempts adds up.
        expect(Date.now() - started).toBeLessThan(5000);
      });

      it('gives up on a slow endpoint within the request timeout, and recovers when it is fast again', async () => {
        const proxy = await startProxy(new URL(server.endpoint), 20_000);
        const requestTimeoutMs = 400;
        const maxAttempts = 2;
        const slow = new S3ImageStorage(
          optionsFor(bucket, { endpoint: proxy.endpoint, requestTimeoutMs, maxAttempts }),
        );
        const { record, bytes } = sampleImage();
        await storage.put(record, chunked(bytes));
        try {
          const started = Date.now();
          await expect(slow.head(record.id)).rejects.toThrow(StorageUnavailableError);
          const elapsed = Date.now() - started;
          // Each attempt is cut at the request timeout; the SDK's backoff between them stays under a second.
          expect(elapsed).toBeGreaterThanOrEqual(requestTimeoutMs * maxAttempts - 50);
          expect(elapsed).toBeLessThan(requestTimeoutMs * maxAttempts + 1500);

          proxy.setDelay(0);

          expect(await slow.head(record.id)).toEqual(record);
          await expect(slow.checkReady()).resolves.toBeUndefined();
        } finally {
          await proxy.close();
        }
      });
    });

    describe('a gateway that freezes (SIGSTOP) and resumes', () => {
      const pid = localGatewayPid();
      // Short timeouts: deadline 1.3 s per call, so maxPutMs is about 5 s and the gateway is frozen ~3 s.
      const frozenOptions = { requestTimeoutMs: 600, connectTimeoutMs: 200, maxAttempts: 1 };
      const freeze = () => process.kill(pid!, 'SIGSTOP');
      const resume = () => process.kill(pid!, 'SIGCONT');
      const pendingKeys = async () =>
        ((await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'pending/' }))).Contents ?? []).map(
          (object) => object.Key,
        );
      const stored = (id: string) =>
        admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `images/${id}` })).then(
          () => true,
          () => false,
        );

      afterEach(() => {
        vi.restoreAllMocks();
        if (pid) resume();
      });

      it('says the outcome is unknown (naming the id) when the PUT and its rollback time out, and the sweep removes the image that lands later', async (context) => {
        if (!pid) return context.skip('needs the local RGW of scripts/local-s3.sh (LOCAL_S3_DIR)');
        const frozen = new S3ImageStorage(optionsFor(bucket, frozenOptions));
        const { record, bytes } = sampleImage({ size: 50_000 });
        const gateway = freezeGatewayOnImagePut(pid, (key) => key === `images/${record.id}`);

        const error = await frozen.put(record, chunked(bytes)).catch((caught: unknown) => caught);
        gateway.resume();

        expect(error).toBeInstanceOf(UploadOutcomeUnknownError);
        expect((error as UploadOutcomeUnknownError).imageId).toBe(record.id);
        expect(await pendingKeys()).toEqual([`pending/${record.id}`]);
        // What the issue saw: the frozen PUT completes once the gateway resumes. Whether the gateway still
        // processes a request whose client hung up is a race in its socket handling; when it does not, the late
        // PUT is played here, so the sweep below always faces an image nobody was told is stored.
        const landed = await vi
          .waitFor(async () => expect(await stored(record.id)).toBe(true), { timeout: 10_000, interval: 200 })
          .then(() => true)
          .catch(() => false);
        if (!landed)
          await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `images/${record.id}`, Body: bytes }));

        // Too young: an upload still in flight must not lose its image.
        expect(await frozen.sweep()).toEqual({ abandonedUploads: 0, expiredKeys: 0 });
        expect(await stored(record.id)).toBe(true);

        await new Promise((resolve) => setTimeout(resolve, frozen.maxPutMs + 500));
        await frozen.sweep();
        expect(await stored(record.id)).toBe(false);
        expect((await frozen.list({ limit: 10 })).items).toEqual([]);
        // The marker stays one more period, in case a PUT lands after the sweep's DELETE.
        expect(await pendingKeys()).toEqual([`pending/${record.id}`]);

        await new Promise((resolve) => setTimeout(resolve, frozen.maxPutMs));
        expect((await frozen.sweep()).abandonedUploads).toBe(1);
        expect(await pendingKeys()).toEqual([]);
      }, 40_000);

      it('says "not stored" only when it knows: frozen before the image was sent', async (context) => {
        if (!pid) return context.skip('needs the local RGW of scripts/local-s3.sh (LOCAL_S3_DIR)');
        const frozen = new S3ImageStorage(optionsFor(bucket, frozenOptions));
        const { record, bytes } = sampleImage({ size: 50_000 });
        freeze();

        const error = await frozen.put(record, chunked(bytes)).catch((caught: unknown) => caught);
        resume();

        expect(error).toBeInstanceOf(StorageUnavailableError);
        expect(error).not.toBeInstanceOf(UploadOutcomeUnknownError);
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(await stored(record.id)).toBe(false);
      }, 20_000);
    });

    it("sends the SDK's own warnings through the app's logger, not straight to stderr", async () => {
      const consoleWarn = vi.spyOn(console, 'warn');
      const loggerWarn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const { record, bytes } = sampleImage({ size: 200_000 });

      await storage.put(record, failingMidway(bytes, new Error('client went away'))).catch(() => undefined);

      expect(loggerWarn).toHaveBeenCalledWith(expect.stringContaining('non-retryable streaming request'));
      expect(consoleWarn).not.toHaveBeenCalled();
      vi.restoreAllMocks();
    });

    it('removes idempotency keys older than their time to live in a sweep', async () => {
      const shortLived = new S3ImageStorage(optionsFor(bucket, { idempotencyKeyTtlMs: 1 }));
      const keyHash = sha256(Buffer.from(randomUUID()));
      await shortLived.claimIdempotencyKey(keyHash, {
        imageId: sampleImage().record.id,
        fingerprint: 'f'.repeat(64),
        expiresAt: new Date().toISOString(),
        inFlightUntil: new Date().toISOString(),
      });
      await new Promise((resolve) => setTimeout(resolve, 1100));

      expect((await shortLived.sweep()).expiredKeys).toBe(1);
      expect(await shortLived.findIdempotencyKey(keyHash)).toBeUndefined();
    });

    describe('direct uploads', () => {
      /** As a browser would: the presigned fields as given (overridable), then the file. */
      const upload = async (
        post: { url: string; fields: Record<string, string> },
        bytes: Buffer,
        override: Record<string, string> = {},
      ) => {
        const form = new FormData();
        for (const [name, value] of Object.entries({ ...post.fields, ...override })) form.append(name, value);
        form.append('file', new Blob([new Uint8Array(bytes)]), 'upload.bin');
        const response = await fetch(post.url, { method: 'POST', body: form });
        return { status: response.status, text: await response.text() };
      };

      it('accepts an in-range upload at incoming/<id>, reads it back, and deletes it', async () => {
        const uploadId = randomUUID();
        const bytes = sampleImage({ size: 1000 }).bytes;
        const post = await storage.presigned.createPresignedUpload(uploadId, { maxBytes: 1000, expiresSeconds: 60 });
        expect(post.fields.key).toBe(`incoming/${uploadId}`);

        expect(await upload(post, bytes)).toMatchObject({ status: 204 });

        expect(await storage.presigned.readIncoming(uploadId, 1000)).toEqual(bytes);
        await expect(storage.presigned.readIncoming(uploadId, 999)).rejects.toThrow(StagedUploadTooLargeError);
        await storage.presigned.deleteIncoming(uploadId);
        expect(await storage.presigned.readIncoming(uploadId, 1000)).toBeUndefined();
        await expect(storage.presigned.deleteIncoming(uploadId)).resolves.toBeUndefined();
        expect((await storage.list({ limit: 5 })).items).toEqual([]);
      });

      it('has S3 refuse an upload over maxBytes with EntityTooLarge', async () => {
        const uploadId = randomUUID();
        const post = await storage.presigned.createPresignedUpload(uploadId, { maxBytes: 1000, expiresSeconds: 60 });

        const result = await upload(post, sampleImage({ size: 1001 }).bytes);

        expect(result.status).toBeGreaterThanOrEqual(400);
        expect(result.status).toBeLessThan(500);
        expect(result.text).toContain('EntityTooLarge');
        expect(await storage.presigned.readIncoming(uploadId, 1000)).toBeUndefined();
      });

      it('has S3 refuse an upload that changes the pinned Content-Type or key', async () => {
        const uploadId = randomUUID();
        const post = await storage.presigned.createPresignedUpload(uploadId, { maxBytes: 1000, expiresSeconds: 60 });

        expect((await upload(post, Buffer.from('<html>'), { 'Content-Type': 'text/html' })).status).toBe(403);
        expect((await upload(post, Buffer.from('x'), { key: `incoming/${randomUUID()}` })).status).toBe(403);
        const imageId = sampleImage().record.id;
        expect((await upload(post, Buffer.from('x'), { key: `images/${imageId}` })).status).toBe(403);

        expect(await storage.presigned.readIncoming(uploadId, 1000)).toBeUndefined();
        expect(await storage.head(imageId)).toBeUndefined();
      });

      it('answers undefined for an upload that never arrived', async () => {
        expect(await storage.presigned.readIncoming(randomUUID(), 1000)).toBeUndefined();
      });
    });
  });
});

const errorOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP proxy on loopback that holds each new connection for `delayMs` before forwarding, and records requests. */
async function startProxy(target: URL, delayMs: number) {
  let delay = delayMs;
  let received = '';
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    // Until the delay is over the client's bytes wait in its socket, unread.
    const timer = setTimeout(() => {
      const upstream = connect(Number(target.port), target.hostname);
      track(upstream);
      upstream.on('close', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      client.pipe(upstream);
      upstream.pipe(client);
    }, delay);
    client.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setDelay: (ms: number) => (delay = ms),
    received: () => received,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
