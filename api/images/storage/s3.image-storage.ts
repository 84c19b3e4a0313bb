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
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import pLimit from 'p-limit';
import { instrumentS3Client } from '../../observability/tracing';
import {
  DirectUploadStore,
  StagedUploadTooLargeError,
  type PresignedPost,
  type PresignOptions,
} from '../direct-uploads/direct-upload-store';
import type { ContentLinkOptions, ContentLinkSigner } from '../content-link-signer';
import { ALLOWED_IMAGE_TYPES, IMAGE_ID_PATTERN, type AllowedImageType, type ImageRecord } from '../image-record';
import {
  ImageStorage,
  type ByteRange,
  type ImagePage,
  type ListImagesQuery,
  type OpenedImage,
  type OpenedVariant,
} from '../image-storage';
import {
  VARIANT_CONTENT_TYPES,
  VARIANT_NAME_PATTERN,
  type VariantContentType,
  type VariantRecord,
} from '../variants/variant-record';
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
}

const IMAGES_PREFIX = 'images/';
const INCOMING_PREFIX = 'incoming/';
/** Outside `images/`, so listing images never sees a variant. */
const VARIANTS_PREFIX = 'variants/';
const VARIANT_DELETES_IN_PARALLEL = 16;
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
    this.client = instrumentS3Client(
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
    return openedWith(await this.getObject(id), (output) => fromObjectMetadata(id, output));
  }

  async openBytes(id: string, range?: ByteRange): Promise<Readable | undefined> {
    const output = await this.getObject(id, range);
    return output?.Body as Readable | undefined;
  }

  private async getObject(id: string, range?: ByteRange) {
    if (!IMAGE_ID_PATTERN.test(id)) return undefined;
    return this.getObjectAt(IMAGES_PREFIX + id, range, 'open');
  }

  private getObjectAt(key: string, range: ByteRange | undefined, operation: string) {
    return this.call(
      (abortSignal) =>
        this.client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
          { abortSignal },
        ),
      operation,
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
    await this.deleteVariants(id);
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
    return this.signGetLink(IMAGES_PREFIX + id, options);
  }

  private async signGetLink(key: string, options: ContentLinkOptions): Promise<string> {
    // Signing is local (no request), so there is nothing to time out or retry.
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
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

  /**
   * Variants live at `variants/<image id>/<name>`. No variant outlives its image, even one written while the
   * image is deleted, by ordering: `delete` removes the original first and then lists and removes the variants;
   * `putVariant` writes the variant first and then checks the original still exists, removing its own write if
   * not. Either that check runs after the original was deleted (and the writer removes the variant), or it ran
   * before, so the variant was written before the delete began listing variants, and S3's strongly consistent
   * listing hands it to the delete.
   */
  async putVariant(imageId: string, record: VariantRecord, body: Readable): Promise<boolean> {
    assertVariantAddress(imageId, record.name);
    // Variants are small and made in memory; reading the body first means a failing one writes nothing.
    const bytes = Buffer.concat(await body.toArray());
    const key = variantKey(imageId, record.name);
    const written = this.call(
      (abortSignal) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: bytes,
            ContentType: record.contentType,
            ChecksumSHA256: Buffer.from(record.sha256, 'hex').toString('base64'),
            Metadata: storedBytesMetadata(record),
          }),
          { abortSignal },
        ),
      'putVariant',
    );
    // A timed-out PUT may still land; as for originals, a write reported failed must not appear later.
    await written.catch(async (error: unknown) => {
      await this.deleteObject(key, 'putVariant rollback').catch(() => undefined);
      throw error;
    });
    if (await this.head(imageId)) return true;
    await this.deleteObject(key, 'putVariant rollback');
    return false;
  }

  async headVariant(imageId: string, name: string): Promise<VariantRecord | undefined> {
    if (!isVariantAddress(imageId, name)) return undefined;
    const output = await this.call(
      (abortSignal) =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: variantKey(imageId, name) }), {
          abortSignal,
        }),
      'headVariant',
    );
    return output && fromVariantMetadata(name, output);
  }

  async openVariant(imageId: string, name: string): Promise<OpenedVariant | undefined> {
    return openedWith(await this.getVariantObject(imageId, name), (output) => fromVariantMetadata(name, output));
  }

  async openVariantBytes(imageId: string, name: string, range?: ByteRange): Promise<Readable | undefined> {
    return (await this.getVariantObject(imageId, name, range))?.Body as Readable | undefined;
  }

  /** A short-lived URL for a variant too big to pass through the service, as `signContentLink` for originals. */
  async signVariantLink(imageId: string, name: string, options: ContentLinkOptions): Promise<string> {
    return this.signGetLink(variantKey(imageId, name), options);
  }

  private async getVariantObject(imageId: string, name: string, range?: ByteRange) {
    if (!isVariantAddress(imageId, name)) return undefined;
    return this.getObjectAt(variantKey(imageId, name), range, 'openVariant');
  }

  /** Every variant of an image, page by page; at most presets × formats objects. */
  private async deleteVariants(imageId: string): Promise<void> {
    const deletes = pLimit(VARIANT_DELETES_IN_PARALLEL);
    let continuationToken: string | undefined;
    do {
      const page = await this.call(
        (abortSignal) =>
          this.client.send(
            new ListObjectsV2Command({
              Bucket: this.bucket,
              Prefix: `${VARIANTS_PREFIX}${imageId}/`,
              ContinuationToken: continuationToken,
            }),
            { abortSignal },
          ),
        'deleteVariants',
      );
      const keys = (page?.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      await Promise.all(keys.map((key) => deletes(() => this.deleteObject(key, 'deleteVariants'))));
      continuationToken = page?.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  private async deleteObject(key: string, operation: string): Promise<void> {
    await this.call(
      (abortSignal) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
      operation,
    );
  }
}

/** A fetched object with the record its metadata describes; closes the body of one this service did not write. */
function openedWith<T>(
  output: GetObjectCommandOutput | undefined,
  recordOf: (output: GetObjectCommandOutput) => T | undefined,
): { record: T; body: Readable } | undefined {
  if (!output?.Body) return undefined;
  const body = output.Body as Readable;
  const record = recordOf(output);
  if (!record) {
    body.destroy();
    return undefined;
  }
  return { record, body };
}

const variantKey = (imageId: string, name: string) => `${VARIANTS_PREFIX}${imageId}/${name}`;

const isVariantAddress = (imageId: string, name: string) =>
  IMAGE_ID_PATTERN.test(imageId) && VARIANT_NAME_PATTERN.test(name);

function assertVariantAddress(imageId: string, name: string): void {
  if (!isVariantAddress(imageId, name)) throw new Error(`not a variant address: ${imageId}/${name}`);
}

type StoredBytesFields = Pick<VariantRecord, 'size' | 'width' | 'height' | 'sha256' | 'createdAt'>;

/** The metadata every object this service writes carries, original or variant. */
function storedBytesMetadata(record: StoredBytesFields): Record<string, string> {
  return {
    'record-version': METADATA_VERSION,
    size: String(record.size),
    width: String(record.width),
    height: String(record.height),
    sha256: record.sha256,
    'created-at': record.createdAt,
  };
}

function storedBytesFieldsOf(metadata: Record<string, string>): StoredBytesFields {
  return {
    size: Number(metadata.size),
    width: Number(metadata.width),
    height: Number(metadata.height),
    sha256: metadata.sha256 ?? '',
    createdAt: metadata['created-at'] ?? '',
  };
}

function fromVariantMetadata(
  name: string,
  output: Pick<HeadObjectCommandOutput, 'ContentType' | 'Metadata'>,
): VariantRecord | undefined {
  const metadata = output.Metadata ?? {};
  const contentType = output.ContentType;
  if (metadata['record-version'] !== METADATA_VERSION || !isVariantType(contentType)) return undefined;
  return { name, contentType, ...storedBytesFieldsOf(metadata) };
}

const isVariantType = (value: string | undefined): value is VariantContentType =>
  (Object.values(VARIANT_CONTENT_TYPES) as string[]).includes(value ?? '');

function toObjectMetadata(record: ImageRecord): Record<string, string> {
  // S3 metadata travels as HTTP headers: ASCII only, so the free-text name is percent-encoded.
  return {
    ...storedBytesMetadata(record),
    animated: String(record.animated),
    // ~30 base64 characters; with the longest original name the metadata stays well under S3's 2 KB.
    ...(record.placeholder === null ? {} : { placeholder: record.placeholder }),
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
  if (metadata['record-version'] !== METADATA_VERSION || !isAllowedType(contentType)) return undefined;
  const originalName = metadata['original-name'];
  return {
    id,
    contentType,
    ...storedBytesFieldsOf(metadata),
    originalName: originalName === undefined ? null : Buffer.from(originalName, 'base64url').toString('utf8'),
    placeholder: metadata.placeholder ?? null,
    animated: metadata.animated === 'true',
  };
}

const isAllowedType = (value: string | undefined): value is AllowedImageType =>
  (ALLOWED_IMAGE_TYPES as readonly string[]).includes(value ?? '');
