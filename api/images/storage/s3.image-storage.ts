import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type HeadObjectCommandOutput,
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
import { ImageStorage, type ByteRange, type ImagePage, type ListImagesQuery, type OpenedImage } from '../image-storage';
import { classifyS3Error } from './s3-errors';

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
}

const IMAGES_PREFIX = 'images/';
const INCOMING_PREFIX = 'incoming/';
const METADATA_VERSION = '1';
const HEADS_IN_PARALLEL = 16;
const MAX_DEADLINE_MS = 20_000;

/**
 * S3 adapter. Each image is one object, `images/<id>`: the sniffed type is its Content-Type and the rest of the
 * record is user metadata, so HEAD answers a metadata read and no second store exists. Writes carry the SHA-256
 * so S3 rejects a body corrupted in transit. Only this file talks to the AWS SDK.
 */
export class S3ImageStorage extends ImageStorage implements DirectUploadStore, ContentLinkSigner {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly deadlineMs: number;

  constructor(options: S3ImageStorageOptions) {
    super();
    this.bucket = options.bucket;
    // Bounds the whole call, retries included, so a request ends well inside API Gateway's 29 s whatever the
    // per-attempt settings add up to.
    this.deadlineMs = Math.min(
      (options.connectTimeoutMs + options.requestTimeoutMs) * options.maxAttempts + 1000,
      MAX_DEADLINE_MS,
    );
    const agentOptions = { keepAlive: true, maxSockets: 64 };
    const instrument = options.instrumentClient ?? ((client) => client);
    this.client = instrument(
      new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        maxAttempts: options.maxAttempts,
        credentials: options.credentials,
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
      // A timed-out PUT may still have landed; the client is told it failed, so the image must not appear later.
      await this.call(
        (abortSignal) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
        'put rollback',
      ).catch(() => undefined);
      // The caller's stream failing is what happened, not the abort that followed it.
      throw bodyError ?? error;
    }
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

  async delete(id: string): Promise<boolean> {
    // S3 deletes are idempotent and say nothing about existence, so ask first.
    if (!(await this.head(id))) return false;
    await this.call(
      (abortSignal) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: IMAGES_PREFIX + id }), { abortSignal }),
      'delete',
    );
    return true;
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
    { missingIsFailure = false } = {},
  ): Promise<T | undefined> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.deadlineMs);
    try {
      return await send(controller.signal);
    } catch (error) {
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
