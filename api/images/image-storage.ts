import type { Readable } from 'node:stream';
import type { ImageRecord } from './image-record';
import type { VariantRecord } from './variants/variant-record';

/** Inclusive byte range, already validated against the object's size. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface OpenedImage {
  readonly record: ImageRecord;
  readonly body: Readable;
}

export interface OpenedVariant {
  readonly record: VariantRecord;
  readonly body: Readable;
}

export interface ListImagesQuery {
  readonly limit: number;
  /** Adapter-specific token from a previous page; opaque to callers. */
  readonly continuationToken?: string;
}

export interface ImagePage {
  readonly items: ImageRecord[];
  readonly continuationToken?: string;
}

/** What a store keeps for one `Idempotency-Key`: the image the first request chose, and how to judge a retry. */
export interface IdempotencyRecord {
  /** The id the first request gave its image. */
  readonly imageId: string;
  /** Hex SHA-256 of the uploaded bytes: a retry must send the same. */
  readonly fingerprint: string;
  /** ISO 8601; after this the key may be used for a new upload. */
  readonly expiresAt: string;
  /** ISO 8601; until this the first request may still be running (a retry then gets 409). */
  readonly inFlightUntil: string;
}

export interface StoredIdempotencyKey {
  readonly record: IdempotencyRecord;
  /** Opaque; passed back to replace exactly this record and nothing newer. */
  readonly version: string;
  /** The image, when it is stored and settled (not a write the store may still roll back). */
  readonly image?: ImageRecord;
}

/** What one sweep removed; bounded per call, so a backlog takes several sweeps. */
export interface SweepReport {
  readonly abandonedUploads: number;
  readonly expiredKeys: number;
}

/**
 * The storage port. Shaped after S3 so an object store fits without changes: an object and its metadata are
 * written and read together, listing pages with a continuation token in key (id) order, and reads stream.
 *
 * Adapters must make `put` all-or-nothing: a failed or interrupted write leaves no visible object.
 * Adapters throw `StorageUnavailableError` when the backend cannot be reached, so callers can answer 503.
 */
export abstract class ImageStorage {
  abstract put(record: ImageRecord, body: Readable): Promise<void>;

  /** Metadata only; `undefined` when there is no such image. */
  abstract head(id: string): Promise<ImageRecord | undefined>;

  /** Metadata and a stream of the bytes in one call; `undefined` when there is no such image. */
  abstract open(id: string): Promise<OpenedImage | undefined>;

  /**
   * The bytes (or `range` of them) of an image whose metadata the caller already read: no second metadata read.
   * `undefined` when there is no such image.
   */
  abstract openBytes(id: string, range?: ByteRange): Promise<Readable | undefined>;

  /** Deletes the image and every variant of it. `false` when there was nothing to delete. */
  abstract delete(id: string): Promise<boolean>;

  /** Images in ascending id order, which for time-ordered ids is upload order. */
  abstract list(query: ListImagesQuery): Promise<ImagePage>;

  /** Resolves when the backend is reachable and writable enough to serve requests. */
  abstract checkReady(): Promise<void>;

  /** Longest a `put` can take, rollback included; bounds how long an idempotency key counts as in flight. */
  abstract readonly maxPutMs: number;

  /** The record for a key (a SHA-256 hex of the client's key), with its image when that is stored. */
  abstract findIdempotencyKey(keyHash: string): Promise<StoredIdempotencyKey | undefined>;

  /**
   * Stores the record only if the key is free (`replacesVersion` absent) or still holds exactly that version;
   * `false` when another request got there first. Atomic across instances sharing the store.
   */
  abstract claimIdempotencyKey(keyHash: string, record: IdempotencyRecord, replacesVersion?: string): Promise<boolean>;

  /** Frees a key whose request is known to have stored nothing, so a retry starts afresh. */
  abstract releaseIdempotencyKey(keyHash: string): Promise<void>;

  /** Removes what interrupted writes left (unacknowledged images, staging) and expired keys, a bounded batch. */
  abstract sweep(): Promise<SweepReport>;

  /**
   * Stores a representation derived from image `imageId` (a sized copy), named `record.name` within it; written
   * all-or-nothing like `put`, replacing one of the same name. `false`, with nothing left behind, when the image
   * does not exist, including when it is deleted while the variant is being written: no variant outlives its
   * image. Listing never returns variants.
   */
  abstract putVariant(imageId: string, record: VariantRecord, body: Readable): Promise<boolean>;

  /** A variant's metadata; `undefined` when it (or its image) does not exist. */
  abstract headVariant(imageId: string, name: string): Promise<VariantRecord | undefined>;

  /** A variant's metadata and bytes in one call; `undefined` when it does not exist. */
  abstract openVariant(imageId: string, name: string): Promise<OpenedVariant | undefined>;

  /** The bytes (or `range` of them) of a variant whose metadata the caller already read. */
  abstract openVariantBytes(imageId: string, name: string, range?: ByteRange): Promise<Readable | undefined>;
}
