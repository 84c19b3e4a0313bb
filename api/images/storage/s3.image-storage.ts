import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type HeadObjectCommandOutput,
  type _Object,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import pLimit from 'p-limit';
import {
  StagedUploadTooLargeError,
  type DirectUploadStore,
  type PresignedPost,
  type PresignOptions,
} from '../direct-uploads/direct-upload-store';
import type { ContentLinkOptions, ContentLinkSigner } from '../content-link-signer';
import { IMAGE_ID_PATTERN, isAllowedImageType, type ImageRecord } from '../image-record';
import {
  ImageStorage,
  type ByteRange,
  type IdempotencyRecord,
  type ImagePage,
  type ListImagesQuery,
  type OpenedImage,
  type StoredIdempotencyKey,
  type SweepReport,
} from '../image-storage';
import { UploadOutcomeUnknownError } from '../image-storage.errors';
import { classifyS3Error, isPreconditionFailed, wasAnswered } from './s3-errors';

export interface S3ImageStorageOptions {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible endpoint (MinIO, Ceph RGW); AWS when absent. */
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  readonly connectTimeoutMs: number;
  /** Per attempt, until the response headers arrive. */
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  /** Explicit keys for tests; otherwise the SDK's default chain (environment, Lambda role, profile). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Instruments the SDK client where it is built (tracing in Lambda). */
  readonly instrumentClient?: <T>(client: T) => T;
  /** How long an idempotency key lives; the sweep removes older ones. */
  readonly idempotencyKeyTtlMs?: number;
}

const IMAGES_PREFIX = 'images/';
const INCOMING_PREFIX = 'incoming/';
/** `pending/<id>`: written before the image, removed once its outcome is known to be "stored". */
const PENDING_PREFIX = 'pending/';
/** `deleting/<id>`: held by the one DELETE that gets to remove the image. */
const DELETING_PREFIX = 'deleting/';
/** `idempotency-keys/<sha256>/<generation>`: each generation is created at most once. */
const KEYS_PREFIX = 'idempotency-keys/';
const GENERATION_DIGITS = 8;
const PENDING_PER_SWEEP = 100;
const KEYS_PER_SWEEP = 1000;
const DEFAULT_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const METADATA_VERSION = '1';
const HEADS_IN_PARALLEL = 16;
const MAX_DEADLINE_MS = 20_000;

/**
 * S3 adapter. Each image is one object, `images/<id>`: the sniffed type is its Content-Type and the rest of the
 * record is user metadata, so HEAD answers a metadata read and no second store exists. Writes carry the SHA-256
 * so S3 rejects a body corrupted in transit. Only this file talks to the AWS SDK.
 *
 * A PUT that times out may still land, even minutes later when a frozen gateway resumes. So every upload first
 * writes `pending/<id>`, which listing never sees, and removes it only once the image is known to be stored.
 * When the outcome stays unknown (the rollback DELETE times out too) the caller says so, and `sweep()` later
 * deletes the image of every marker older than `maxPutMs`, keeping the marker one more period in case the
 * late PUT lands after that DELETE. Nobody was told such an image was stored, so removing it is always right.
 *
 * Conditional writes use only `If-None-Match: *` on PUT, which AWS S3 and Ceph RGW both honour; RGW 16
 * ignores `If-Match` on DELETE and refuses it on PUT, so neither is relied on.
 */
export class S3ImageStorage extends ImageStorage implements DirectUploadStore, ContentLinkSigner {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly deadlineMs: number;
  private readonly keyTtlMs: number;
  readonly maxPutMs: number;

  constructor(options: S3ImageStorageOptions) {
    super();
    this.bucket = options.bucket;
    this.keyTtlMs = options.idempotencyKeyTtlMs ?? DEFAULT_KEY_TTL_MS;
    // Bounds the whole call, retries included, so a request ends well inside API Gateway's 29 s whatever the
    // per-attempt settings add up to.
    this.deadlineMs = Math.min(
      (options.connectTimeoutMs + options.requestTimeoutMs) * options.maxAttempts + 1000,
      MAX_DEADLINE_MS,
    );
    // Marker, image, then marker removal or rollback: three calls, each under the deadline.
    this.maxPutMs = 3 * this.deadlineMs + 1000;
    const sdkLogger = new Logger('S3');
    const agentOptions = { keepAlive: true, maxSockets: 64 };
    const instrument = options.instrumentClient ?? ((client) => client);
    this.client = instrument(
      new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        maxAttempts: options.maxAttempts,
        credentials: options.credentials,
        // Without a logger of its own the SDK writes some warnings straight to stderr, outside the JSON log.
        logger: {
          trace: () => undefined,
          debug: () => undefined,
          info: () => undefined,
          warn: (...content: unknown[]) => sdkLogger.warn(content.map(String).join(' ')),
          error: (...content: unknown[]) => sdkLogger.error(content.map(String).join(' ')),
        },
        requestHandler: new NodeHttpHandler({
          connectionTimeout: options.connectTimeoutMs,
          requestTimeout: options.requestTimeoutMs,
          throwOnRequestTimeout: true,
          // A body that stalls mid-stream (after the headers) would otherwise hold the response open forever.
          socketTimeout: options.requestTimeoutMs,
          httpAgent: new HttpAgent(agentOptions),
          httpsAgent: new HttpsAgent(agentOptions),
        }),
        // Third-party servers (Ceph RGW 16, older MinIO) refuse the aws-chunked CRC32 trailers newer SDKs send by
        // default; the SHA-256 we send explicitly still protects every write.
        ...(options.endpoint
          ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
          : {}),
      }),
    );
  }

  async put(record: ImageRecord, body: Readable): Promise<void> {
    const key = IMAGES_PREFIX + record.id;
    // The SDK pipes the body into the request without listening for its errors: a body that fails (a client that
    // went away) would be an uncaught 'error', crashing the process, and the request would hang until the
    // timeout. Abort the request instead. The listener stays, so a late error is never uncaught either.
    const bodyFailed = new AbortController();
    let bodyError: unknown;
    body.on('error', (error) => {
      bodyError ??= error;
      bodyFailed.abort();
    });
    // Nothing of the image has been sent yet: if this fails, the image is certainly not stored.
    await this.putMarker(PENDING_PREFIX + record.id, 'put marker');
    try {
      await this.call(
        (abortSignal) =>
          this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: key,
              Body: body,
              ContentLength: record.size,
              ContentType: record.contentType,
              ChecksumSHA256: Buffer.from(record.sha256, 'hex').toString('base64'),
              Metadata: toObjectMetadata(record),
            }),
            { abortSignal: AbortSignal.any([abortSignal, bodyFailed.signal]) },
          ),
        'put',
      );
    } catch (error) {
      if (bodyError === undefined && !wasAnswered(error)) await this.rollBack(record.id, error);
      await this.deleteKey(PENDING_PREFIX + record.id, 'put marker').catch(() => undefined);
      // The caller's stream failing is what happened, not the abort that followed it.
      throw bodyError ?? error;
    }
    try {
      await this.deleteKey(PENDING_PREFIX + record.id, 'put marker');
    } catch (error) {
      // Stored, but the sweep will remove it: the client must not be told it is kept.
      throw new UploadOutcomeUnknownError(
        record.id,
        `S3 stored image ${record.id} but its pending marker could not be removed; the sweep will delete it`,
        5,
        { cause: error },
      );
    }
  }

  /**
   * The PUT may have landed. A confirmed DELETE makes "not stored" true, and the marker is kept, so the sweep
   * deletes again should the PUT still land later. An unconfirmed one leaves the outcome unknown.
   */
  private async rollBack(id: string, putError: unknown): Promise<never> {
    try {
      await this.deleteKey(IMAGES_PREFIX + id, 'put rollback');
    } catch {
      throw new UploadOutcomeUnknownError(
        id,
        `S3 put of image ${id} timed out and its rollback could not be confirmed`,
        5,
        { cause: putError },
      );
    }
    throw putError;
  }

  async head(id: string): Promise<ImageRecord | undefined> {
    if (!IMAGE_ID_PATTERN.test(id)) return undefined;
    const output = await this.call(
      (abortSignal) =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: IMAGES_PREFIX + id }), { abortSignal }),
      'head',
    );
    return output && fromObjectMetadata(id, output);
  }

  async open(id: string): Promise<OpenedImage | undefined> {
    const output = await this.getObject(id);
    if (!output?.Body) return undefined;
    const body = output.Body as Readable;
    const record = fromObjectMetadata(id, output);
    if (!record) {
      body.destroy();
      return undefined;
    }
    return { record, body };
  }

  async openBytes(id: string, range?: ByteRange): Promise<Readable | undefined> {
    const output = await this.getObject(id, range);
    return output?.Body as Readable | undefined;
  }

  private async getObject(id: string, range?: ByteRange) {
    if (!IMAGE_ID_PATTERN.test(id)) return undefined;
    return this.call(
      (abortSignal) =>
        this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: IMAGES_PREFIX + id,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
          { abortSignal },
        ),
      'open',
    );
  }

  /**
   * S3 deletes are idempotent and say nothing about existence, so two concurrent DELETEs would both "succeed".
   * The one that creates `deleting/<id>` (If-None-Match: *) checks and deletes; the other answers `false`.
   */
  async delete(id: string): Promise<boolean> {
    if (!(await this.head(id))) return false;
    const tombstone = DELETING_PREFIX + id;
    if (!(await this.createIfAbsent(tombstone, 'delete'))) {
      if (!(await this.isOlderThan(tombstone, this.maxPutMs))) return false;
      // Left by a process that died mid-delete: take it over once.
      await this.deleteKey(tombstone, 'delete');
      if (!(await this.createIfAbsent(tombstone, 'delete'))) return false;
    }
    try {
      if (!(await this.head(id))) return false;
      await this.deleteKey(IMAGES_PREFIX + id, 'delete');
      return true;
    } finally {
      await this.deleteKey(tombstone, 'delete').catch(() => undefined);
    }
  }

  /**
   * One LIST plus one HEAD per key (bounded parallelism): S3 listings carry no user metadata. A key deleted between
   * the two calls is skipped.
   */
  async list({ limit, continuationToken }: ListImagesQuery): Promise<ImagePage> {
    const page = await this.call(
      (abortSignal) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: IMAGES_PREFIX,
            MaxKeys: limit,
            ContinuationToken: continuationToken,
          }),
          { abortSignal },
        ),
      'list',
    );
    const ids = (page?.Contents ?? [])
      .map((object) => object.Key?.slice(IMAGES_PREFIX.length) ?? '')
      .filter((id) => IMAGE_ID_PATTERN.test(id));
    const headLimit = pLimit(HEADS_IN_PARALLEL);
    const records = await Promise.all(ids.map((id) => headLimit(() => this.head(id))));
    const next = page?.IsTruncated ? page.NextContinuationToken : undefined;
    return {
      items: records.filter((record): record is ImageRecord => record !== undefined),
      ...(next ? { continuationToken: next } : {}),
    };
  }

  async checkReady(): Promise<void> {
    await this.call(
      (abortSignal) => this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal }),
      'checkReady',
      { missingIsFailure: true },
    );
  }

  async findIdempotencyKey(keyHash: string): Promise<StoredIdempotencyKey | undefined> {
    const latest = await this.latestKeyGeneration(keyHash);
    if (!latest) return undefined;
    const output = await this.call(
      (abortSignal) =>
        this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: latest.key }), { abortSignal }),
      'read key',
    );
    if (!output?.Body) return undefined;
    const record = JSON.parse(await output.Body.transformToString()) as IdempotencyRecord;
    const [image, pending] = await Promise.all([
      this.head(record.imageId),
      this.exists(PENDING_PREFIX + record.imageId, 'read key'),
    ]);
    return { record, version: String(latest.generation), ...(image && !pending ? { image } : {}) };
  }

  async claimIdempotencyKey(keyHash: string, record: IdempotencyRecord, replacesVersion?: string): Promise<boolean> {
    const generation = replacesVersion === undefined ? 0 : Number(replacesVersion) + 1;
    const claimed = await this.createIfAbsent(
      keyGenerationKey(keyHash, generation),
      'claim key',
      JSON.stringify(record),
    );
    if (claimed && generation > 0) {
      await this.deleteKey(keyGenerationKey(keyHash, generation - 1), 'claim key').catch(() => undefined);
    }
    return claimed;
  }

  async releaseIdempotencyKey(keyHash: string): Promise<void> {
    const latest = await this.latestKeyGeneration(keyHash);
    if (latest) await this.deleteKey(latest.key, 'release key');
  }

  async sweep(): Promise<SweepReport> {
    const now = Date.now();
    let abandonedUploads = 0;
    for (const marker of await this.listKeys(PENDING_PREFIX, PENDING_PER_SWEEP)) {
      const age = now - (marker.LastModified?.getTime() ?? now);
      if (age <= this.maxPutMs || !marker.Key) continue;
      await this.deleteKey(IMAGES_PREFIX + marker.Key.slice(PENDING_PREFIX.length), 'sweep');
      if (age > 2 * this.maxPutMs) {
        await this.deleteKey(marker.Key, 'sweep');
        abandonedUploads += 1;
      }
    }
    for (const tombstone of await this.listKeys(DELETING_PREFIX, PENDING_PER_SWEEP)) {
      const age = now - (tombstone.LastModified?.getTime() ?? now);
      if (age > this.maxPutMs && tombstone.Key) await this.deleteKey(tombstone.Key, 'sweep');
    }
    let expiredKeys = 0;
    for (const key of await this.listKeys(KEYS_PREFIX, KEYS_PER_SWEEP)) {
      const age = now - (key.LastModified?.getTime() ?? now);
      if (age > this.keyTtlMs && key.Key) {
        await this.deleteKey(key.Key, 'sweep');
        expiredKeys += 1;
      }
    }
    return { abandonedUploads, expiredKeys };
  }

  private async latestKeyGeneration(keyHash: string): Promise<{ key: string; generation: number } | undefined> {
    const prefix = `${KEYS_PREFIX}${keyHash}/`;
    const keys = (await this.listKeys(prefix, 1000)).map((object) => object.Key ?? '').sort();
    const key = keys[keys.length - 1];
    return key ? { key, generation: Number(key.slice(prefix.length)) } : undefined;
  }

  private async listKeys(prefix: string, maxKeys: number): Promise<_Object[]> {
    const page = await this.call(
      (abortSignal) =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: maxKeys }), {
          abortSignal,
        }),
      'list',
    );
    return page?.Contents ?? [];
  }

  private async putMarker(key: string, operation: string): Promise<void> {
    await this.call(
      (abortSignal) =>
        this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: '' }), { abortSignal }),
      operation,
    );
  }

  /** `false` when the key exists already (412). */
  private async createIfAbsent(key: string, operation: string, body = ''): Promise<boolean> {
    try {
      await this.call(
        (abortSignal) =>
          this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, IfNoneMatch: '*' }), {
            abortSignal,
          }),
        operation,
        { rethrow: isPreconditionFailed },
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  private async deleteKey(key: string, operation: string): Promise<void> {
    await this.call(
      (abortSignal) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
      operation,
    );
  }

  private async exists(key: string, operation: string): Promise<boolean> {
    const output = await this.call(
      (abortSignal) => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
      operation,
    );
    return output !== undefined;
  }

  private async isOlderThan(key: string, ageMs: number): Promise<boolean> {
    const output = await this.call(
      (abortSignal) => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
      'delete',
    );
    return output === undefined || Date.now() - (output.LastModified?.getTime() ?? Date.now()) > ageMs;
  }

  async createPresignedUpload(uploadId: string, { maxBytes, expiresSeconds }: PresignOptions): Promise<PresignedPost> {
    const post = await this.call(
      () =>
        createPresignedPost(this.client, {
          Bucket: this.bucket,
          Key: INCOMING_PREFIX + uploadId,
          Conditions: [['content-length-range', 1, maxBytes]],
          // Fields become exact-match conditions. The staged object's declared type is pinned to an inert one: the
          // real type is sniffed on completion, and nothing in incoming/ can ever be rendered as HTML.
          Fields: { 'Content-Type': 'application/octet-stream' },
          Expires: expiresSeconds,
        }),
      'presign',
    );
    if (!post) throw new Error('presigning returned nothing');
    return { url: post.url, fields: post.fields };
  }

  async signContentLink(id: string, options: ContentLinkOptions): Promise<string> {
    // Signing is local (no request), so there is nothing to time out or retry.
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: IMAGES_PREFIX + id,
        ResponseContentType: options.contentType,
        ResponseContentDisposition: options.contentDisposition,
        ResponseCacheControl: options.cacheControl,
      }),
      { expiresIn: options.expiresSeconds },
    );
  }

  async readIncoming(uploadId: string, maxBytes: number): Promise<Buffer | undefined> {
    const output = await this.call(
      (abortSignal) =>
        this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: INCOMING_PREFIX + uploadId }), {
          abortSignal,
        }),
      'readIncoming',
    );
    if (!output?.Body) return undefined;
    const body = output.Body as Readable;
    const size = output.ContentLength ?? 0;
    if (size > maxBytes) {
      body.destroy();
      throw new StagedUploadTooLargeError(size);
    }
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of body) {
      received += (chunk as Buffer).length;
      if (received > maxBytes) {
        body.destroy();
        throw new StagedUploadTooLargeError(received);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async deleteIncoming(uploadId: string): Promise<void> {
    await this.call(
      (abortSignal) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: INCOMING_PREFIX + uploadId }), {
          abortSignal,
        }),
      'deleteIncoming',
    );
  }

  /**
   * Runs one SDK call under the overall deadline and maps its failure: a missing object becomes `undefined`,
   * everything else a storage error the edge knows how to answer.
   */
  private async call<T>(
    send: (abortSignal: AbortSignal) => Promise<T>,
    operation: string,
    {
      missingIsFailure = false,
      rethrow = neverRethrow,
    }: { missingIsFailure?: boolean; rethrow?: (error: unknown) => boolean } = {},
  ): Promise<T | undefined> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.deadlineMs);
    try {
      return await send(controller.signal);
    } catch (error) {
      if (rethrow(error)) throw error;
      const failure = classifyS3Error(error, operation, controller.signal.aborted);
      if (failure === 'missing' && !missingIsFailure) return undefined;
      throw failure === 'missing' ? classifyS3Error(error, operation, false, true) : failure;
    } finally {
      clearTimeout(timer);
    }
  }
}

function toObjectMetadata(record: ImageRecord): Record<string, string> {
  // S3 metadata travels as HTTP headers: ASCII only, so the free-text name is base64url-encoded (below).
  return {
    'record-version': METADATA_VERSION,
    size: String(record.size),
    width: String(record.width),
    height: String(record.height),
    sha256: record.sha256,
    'created-at': record.createdAt,
    // base64url of UTF-8: ≤ 4/3 of the bytes, so a 255-character name always fits S3's 2 KB metadata limit.
    ...(record.originalName === null
      ? {}
      : { 'original-name': Buffer.from(record.originalName).toString('base64url') }),
  };
}

function fromObjectMetadata(
  id: string,
  output: Pick<HeadObjectCommandOutput, 'ContentType' | 'Metadata'>,
): ImageRecord | undefined {
  const metadata = output.Metadata ?? {};
  const contentType = output.ContentType;
  // Objects not written by this service (or by an incompatible version) are not images we can vouch for.
  if (metadata['record-version'] !== METADATA_VERSION || !isAllowedImageType(contentType)) return undefined;
  const originalName = metadata['original-name'];
  return {
    id,
    contentType,
    size: Number(metadata.size),
    width: Number(metadata.width),
    height: Number(metadata.height),
    sha256: metadata.sha256 ?? '',
    originalName: originalName === undefined ? null : Buffer.from(originalName, 'base64url').toString('utf8'),
    createdAt: metadata['created-at'] ?? '',
  };
}

const neverRethrow = () => false;

const keyGenerationKey = (keyHash: string, generation: number) =>
  `${KEYS_PREFIX}${keyHash}/${String(generation).padStart(GENERATION_DIGITS, '0')}`;
