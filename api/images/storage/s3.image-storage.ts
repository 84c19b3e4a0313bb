import type { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { IMAGE_ID_PATTERN, type ImageRecord } from '../image-record';
import {
  ImageStorage,
  type ByteRange,
  type IdempotencyRecord,
  type ImagePage,
  type ListImagesQuery,
  type OpenedImage,
  type OpenedVariant,
  type StoredIdempotencyKey,
  type SweepReport,
} from '../image-storage';
import { UploadOutcomeUnknownError } from '../image-storage.errors';
import { S3Bucket, type S3BucketOptions } from './s3-bucket';
import { wasAnswered } from './s3-errors';
import { S3IdempotencyKeys } from './s3-idempotency-keys';
import { S3ImageListing } from './s3-image-listing';
import { RecordCache } from './record-cache';
import { DELETING_PREFIX, IMAGES_PREFIX, PENDING_PREFIX } from './s3-keys';
import { fromObjectMetadata, toObjectMetadata } from './s3-object-metadata';
import { S3PresignedAccess } from './s3-presigned-access';
import { openedWith, S3Variants } from './s3-variants';
import type { VariantRecord } from '../variants/variant-record';

export interface S3ImageStorageOptions extends S3BucketOptions {
  /** How long an idempotency key lives; the sweep removes older ones. */
  readonly idempotencyKeyTtlMs?: number;
  /** Records already read, served to a listing that shows the same object; off when absent. */
  readonly recordCache?: RecordCache;
}

const PENDING_PER_SWEEP = 100;
const DEFAULT_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * S3 adapter. Each image is one object, `images/<id>`: the sniffed type is its Content-Type and the rest of the
 * record is user metadata, so HEAD answers a metadata read and no second store exists. Writes carry the SHA-256
 * so S3 rejects a body corrupted in transit. Only the `s3*` files of this folder talk to the AWS SDK.
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
export class S3ImageStorage extends ImageStorage {
  private readonly bucket: S3Bucket;
  private readonly keys: S3IdempotencyKeys;
  private readonly variants: S3Variants;
  private readonly records: RecordCache;
  private readonly listing: S3ImageListing;
  /** Direct uploads and content links, on the same client. */
  readonly presigned: S3PresignedAccess;
  readonly maxPutMs: number;

  constructor(options: S3ImageStorageOptions) {
    super();
    this.bucket = new S3Bucket(options);
    this.presigned = new S3PresignedAccess(this.bucket);
    this.records = options.recordCache ?? new RecordCache(0);
    this.listing = new S3ImageListing(this.bucket, this.records);
    this.keys = new S3IdempotencyKeys(this.bucket, options.idempotencyKeyTtlMs ?? DEFAULT_KEY_TTL_MS, (id) =>
      this.head(id),
    );
    this.variants = new S3Variants(this.bucket, (id) => this.head(id));
    // Marker, image, then marker removal or rollback: three calls, each under the deadline.
    this.maxPutMs = 3 * this.bucket.deadlineMs + 1000;
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
    await this.bucket.putEmpty(PENDING_PREFIX + record.id, 'put marker');
    try {
      await this.bucket.call(
        (abortSignal) =>
          this.bucket.client.send(
            new PutObjectCommand({
              Bucket: this.bucket.name,
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
      await this.bucket.deleteKey(PENDING_PREFIX + record.id, 'put marker').catch(() => undefined);
      // The caller's stream failing is what happened, not the abort that followed it.
      throw bodyError ?? error;
    }
    try {
      await this.bucket.deleteKey(PENDING_PREFIX + record.id, 'put marker');
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
      await this.bucket.deleteKey(IMAGES_PREFIX + id, 'put rollback');
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

  /**
   * Always a HEAD, never the cache: only a request to the bucket proves the image was not deleted by another
   * instance, and a HEAD is that request and the record at once.
   */
  async head(id: string): Promise<ImageRecord | undefined> {
    if (!IMAGE_ID_PATTERN.test(id)) return undefined;
    const output = await this.bucket.headObject(IMAGES_PREFIX + id, 'head');
    if (!output) this.records.delete(id);
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
    return IMAGE_ID_PATTERN.test(id) ? this.bucket.getObject(IMAGES_PREFIX + id, 'open', range) : undefined;
  }

  /**
   * S3 deletes are idempotent and say nothing about existence, so two concurrent DELETEs would both "succeed".
   * The one that creates `deleting/<id>` (If-None-Match: *) checks and deletes; the other answers `false`.
   */
  async delete(id: string): Promise<boolean> {
    if (!(await this.head(id))) return false;
    const tombstone = DELETING_PREFIX + id;
    if (!(await this.bucket.createIfAbsent(tombstone, 'delete'))) {
      if (!(await this.bucket.isOlderThan(tombstone, this.maxPutMs, 'delete'))) return false;
      // Left by a process that died mid-delete: take it over once.
      await this.bucket.deleteKey(tombstone, 'delete');
      if (!(await this.bucket.createIfAbsent(tombstone, 'delete'))) return false;
    }
    try {
      if (!(await this.head(id))) return false;
      await this.bucket.deleteKey(IMAGES_PREFIX + id, 'delete');
      this.records.delete(id);
      // After the original: a variant written meanwhile either sees the original gone or is listed here.
      await this.variants.deleteAll(id);
      return true;
    } finally {
      await this.bucket.deleteKey(tombstone, 'delete').catch(() => undefined);
    }
  }

  list(query: ListImagesQuery): Promise<ImagePage> {
    return this.listing.list(query);
  }

  async checkReady(): Promise<void> {
    await this.bucket.checkReady();
  }

  putVariant(imageId: string, record: VariantRecord, body: Readable): Promise<boolean> {
    return this.variants.put(imageId, record, body);
  }

  headVariant(imageId: string, name: string): Promise<VariantRecord | undefined> {
    return this.variants.head(imageId, name);
  }

  openVariant(imageId: string, name: string): Promise<OpenedVariant | undefined> {
    return this.variants.open(imageId, name);
  }

  openVariantBytes(imageId: string, name: string, range?: ByteRange): Promise<Readable | undefined> {
    return this.variants.openBytes(imageId, name, range);
  }

  findIdempotencyKey(keyHash: string): Promise<StoredIdempotencyKey | undefined> {
    return this.keys.find(keyHash);
  }

  claimIdempotencyKey(keyHash: string, record: IdempotencyRecord, replacesVersion?: string): Promise<boolean> {
    return this.keys.claim(keyHash, record, replacesVersion);
  }

  releaseIdempotencyKey(keyHash: string): Promise<void> {
    return this.keys.release(keyHash);
  }

  async sweep(): Promise<SweepReport> {
    const now = Date.now();
    let abandonedUploads = 0;
    for (const marker of await this.bucket.listKeys(PENDING_PREFIX, PENDING_PER_SWEEP)) {
      const age = now - (marker.LastModified?.getTime() ?? now);
      if (age <= this.maxPutMs || !marker.Key) continue;
      await this.bucket.deleteKey(IMAGES_PREFIX + marker.Key.slice(PENDING_PREFIX.length), 'sweep');
      if (age > 2 * this.maxPutMs) {
        await this.bucket.deleteKey(marker.Key, 'sweep');
        abandonedUploads += 1;
      }
    }
    for (const tombstone of await this.bucket.listKeys(DELETING_PREFIX, PENDING_PER_SWEEP)) {
      const age = now - (tombstone.LastModified?.getTime() ?? now);
      if (age > this.maxPutMs && tombstone.Key) await this.bucket.deleteKey(tombstone.Key, 'sweep');
    }
    const expiredKeys = await this.keys.sweepExpired(now);
    return { abandonedUploads, expiredKeys };
  }
}
