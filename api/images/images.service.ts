import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import type { ContentLinkSigner } from './content-link-signer';
import { ContentLinks } from './links/content-links';
import { DeliveryMetrics } from './links/delivery-metrics';
import { CursorCodec } from './cursor.codec';
import type { Representation, RepresentationSource } from './delivery/representation';
import { CONTENT_CACHE_CONTROL, contentDispositionOf } from './delivery/representation-headers';
import {
  failedChangePrecondition,
  hasChangePreconditions,
  type RequestConditions,
} from './delivery/request-conditions';
import { imageNotFoundError } from './image-errors';
import { ImageProcessor } from './image-processor';
import { IMAGE_EXTENSIONS, type ImageRecord } from './image-record';
import { ImageStorage, type ByteRange } from './image-storage';
import { sanitizeOriginalName } from './original-name';
import { STORAGE_BACKEND, type StorageBackend } from './storage/image-storage.factory';
import { UploadOutcomeUnknownError } from './image-storage.errors';

export interface UploadOutcome {
  readonly record: ImageRecord;
  /** The answer of an earlier request with the same Idempotency-Key, not a new image. */
  readonly replayed: boolean;
}
import { ImageVariantsService } from './variants/image-variants.service';

export interface ImageListing {
  readonly items: ImageRecord[];
  readonly nextCursor: string | null;
}

@Injectable()
export class ImagesService {
  private readonly logger = new Logger(ImagesService.name);

  constructor(
    private readonly storage: ImageStorage,
    private readonly processor: ImageProcessor,
    private readonly cursors: CursorCodec,
    private readonly config: AppConfig,
    private readonly variants: ImageVariantsService,
    private readonly links: ContentLinks,
    private readonly metrics: DeliveryMetrics,
    @Inject(STORAGE_BACKEND) backend: StorageBackend,
  ) {
    this.contentLinks = backend.contentLinks;
  }

  private readonly contentLinks?: ContentLinkSigner;

  /**
   * Validates and rewrites the bytes first; storage sees only an image that passed every check. What is stored
   * stays within the limit of the path it came through, so it can be served back the same way. The eager
   * variants are made from the same bytes.
   */
  async upload(
    bytes: Buffer,
    clientFileName: string | undefined,
    maxStoredBytes = this.config.MAX_UPLOAD_BYTES,
  ): Promise<ImageRecord> {
    return this.store(bytes, clientFileName, maxStoredBytes, uuidv7());
  }

  /**
   * An upload that a client may retry (IETF httpapi Idempotency-Key draft): the key, hashed, is kept in storage
   * beside the images, so every instance sees it. A retry with the same bytes gets the first image; with other
   * bytes, 422; while the first request may still be running, 409. A key expires after
   * IDEMPOTENCY_KEY_TTL_SECONDS; a key whose request is known to have stored nothing is freed at once.
   */
  async uploadOnce(bytes: Buffer, clientFileName: string | undefined, idempotencyKey?: string): Promise<UploadOutcome> {
    if (idempotencyKey === undefined) return { record: await this.upload(bytes, clientFileName), replayed: false };
    if (bytes.length === 0) throw emptyFile();
    const keyHash = sha256(Buffer.from(idempotencyKey, 'utf8'));
    const fingerprint = sha256(bytes);
    const now = Date.now();
    const existing = await this.storage.findIdempotencyKey(keyHash);
    const live = existing && Date.parse(existing.record.expiresAt) > now ? existing : undefined;
    if (live) {
      if (live.record.fingerprint !== fingerprint) {
        throw new AppError('IDEMPOTENCY_KEY_MISMATCH', 'This Idempotency-Key was used for a different file.');
      }
      if (live.image) return { record: live.image, replayed: true };
      if (Date.parse(live.record.inFlightUntil) > now) throw keyInUse();
      // The first request ended without storing (or its unconfirmed image is being swept): start afresh.
    }
    const id = uuidv7();
    const inFlightMs =
      this.config.PROCESSING_QUEUE_TIMEOUT_MS + this.config.PROCESSING_TIMEOUT_SECONDS * 1000 + this.storage.maxPutMs;
    const claimed = await this.storage.claimIdempotencyKey(
      keyHash,
      {
        imageId: id,
        fingerprint,
        expiresAt: new Date(now + this.config.IDEMPOTENCY_KEY_TTL_SECONDS * 1000).toISOString(),
        inFlightUntil: new Date(now + inFlightMs).toISOString(),
      },
      existing?.version,
    );
    if (!claimed) throw keyInUse();
    try {
      return { record: await this.store(bytes, clientFileName, this.config.MAX_UPLOAD_BYTES, id), replayed: false };
    } catch (error) {
      // An unknown outcome keeps the key: until the sweep has settled it, a retry must not store a second copy.
      if (!(error instanceof UploadOutcomeUnknownError)) {
        await this.storage.releaseIdempotencyKey(keyHash).catch(() => undefined);
      }
      throw error;
    }
  }

  private async store(
    bytes: Buffer,
    clientFileName: string | undefined,
    maxStoredBytes: number,
    id: string,
  ): Promise<ImageRecord> {
    if (bytes.length === 0) throw emptyFile();
    const image = await this.processor.process(bytes, { maxStoredBytes });
    const record: ImageRecord = {
      id,
      contentType: image.contentType,
      size: image.bytes.length,
      width: image.width,
      height: image.height,
      sha256: sha256(image.bytes),
      originalName: sanitizeOriginalName(clientFileName, this.config.MAX_ORIGINAL_NAME_LENGTH),
      createdAt: new Date().toISOString(),
      placeholder: image.placeholder,
      animated: image.animated,
    };
    await this.storage.put(record, Readable.from([image.bytes]));
    // Before answering, so the gallery that shows this upload next finds its thumbnail ready.
    await this.variants.makeEager(record, image.bytes);
    return record;
  }

  async list(limit: number | undefined, cursor: string | undefined): Promise<ImageListing> {
    const pageSize = limit ?? this.config.LIST_DEFAULT_LIMIT;
    if (pageSize > this.config.LIST_MAX_LIMIT) {
      throw new AppError('VALIDATION_FAILED', `limit must not be greater than ${this.config.LIST_MAX_LIMIT}`);
    }
    const continuationToken = cursor === undefined ? undefined : this.cursors.decode(cursor);
    const page = await this.storage.list({ limit: pageSize, continuationToken });
    return {
      items: page.items,
      nextCursor: page.continuationToken === undefined ? null : this.cursors.encode(page.continuationToken),
    };
  }

  async get(id: string): Promise<ImageRecord> {
    return (await this.storage.head(id)) ?? notFound(id);
  }

  /** The original bytes of an image, as a representation the delivery logic can serve. */
  original(id: string): RepresentationSource {
    return {
      head: async () => {
        const record = await this.storage.head(id);
        return record && originalOf(record);
      },
      open: async () => {
        const opened = await this.storage.open(id);
        return opened && { representation: originalOf(opened.record), body: opened.body };
      },
      openBytes: (range?: ByteRange) => this.storage.openBytes(id, range),
      redirectFor: (representation) => this.contentLink(id, representation),
      notFound: () => imageNotFoundError(id),
    };
  }

  /** Deletes the image; with preconditions, only when the image satisfies them (412 otherwise). */
  async delete(id: string, conditions?: RequestConditions): Promise<void> {
    if (conditions && hasChangePreconditions(conditions)) {
      const failed = failedChangePrecondition(conditions, originalOf(await this.get(id)));
      if (failed) {
        throw new AppError('PRECONDITION_FAILED', `The image does not satisfy the request's ${failed} condition.`);
      }
    }
    if (!(await this.storage.delete(id))) notFound(id);
    await this.forgetLinks(id);
  }

  /**
   * The image is gone whatever the CDN says: a failed purge does not fail the delete. It is logged (with the
   * request id the logger carries) and counted; cached copies then last until their links expire.
   */
  private async forgetLinks(id: string): Promise<void> {
    try {
      await this.links.forget(id);
    } catch (error) {
      this.metrics.purgeFailed();
      this.logger.error(
        { err: error, imageId: id },
        'CDN purge after delete failed; cached copies expire with their links',
      );
    }
  }

  /**
   * A short-lived URL for the bytes when they are too big to pass through the service (Lambda answers at most
   * 6 MB) and the store can sign one; `undefined` means stream them.
   */
  private async contentLink(id: string, representation: Representation): Promise<string | undefined> {
    if (!this.contentLinks || representation.size <= this.config.CONTENT_REDIRECT_BYTES) return undefined;
    return this.contentLinks.signContentLink(id, {
      expiresSeconds: this.config.CONTENT_URL_EXPIRES_SECONDS,
      contentType: representation.contentType,
      contentDisposition: contentDispositionOf(representation),
      cacheControl: CONTENT_CACHE_CONTROL,
    });
  }
}

/** The original's download name is built from the id alone: the client's name never reaches a header. */
const originalOf = (record: ImageRecord): Representation => ({
  contentType: record.contentType,
  size: record.size,
  sha256: record.sha256,
  createdAt: record.createdAt,
  fileName: `${record.id}.${IMAGE_EXTENSIONS[record.contentType]}`,
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const emptyFile = () => new AppError('EMPTY_FILE', 'The file part is empty.');
const keyInUse = () =>
  new AppError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry later.', {
    'Retry-After': '1',
  });

function notFound(id: string): never {
  throw imageNotFoundError(id);
}
