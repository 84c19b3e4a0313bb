import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { ContentLinks } from '../links/content-links';
import { AppMetrics } from '../observability/app-metrics';
import { ContentLinkSigner } from './content-link-signer';
import { CursorCodec } from './cursor.codec';
import type { Representation, RepresentationSource } from './delivery/representation';
import { CONTENT_CACHE_CONTROL, contentDispositionOf } from './delivery/representation-headers';
import {
  failedChangePrecondition,
  hasChangePreconditions,
  type RequestConditions,
} from './delivery/request-conditions';
import { ImageProcessor } from './image-processor';
import { IMAGE_EXTENSIONS, type ImageRecord } from './image-record';
import { ImageStorage, type ByteRange } from './image-storage';
import { sanitizeOriginalName } from './original-name';

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
    private readonly links: ContentLinks,
    private readonly metrics: AppMetrics,
    @Optional() @Inject(ContentLinkSigner) private readonly contentLinks: ContentLinkSigner | null = null,
  ) {}

  /**
   * Validates and rewrites the bytes first; storage sees only an image that passed every check. What is stored
   * stays within the limit of the path it came through, so it can be served back the same way.
   */
  async upload(
    bytes: Buffer,
    clientFileName: string | undefined,
    maxStoredBytes = this.config.MAX_UPLOAD_BYTES,
  ): Promise<ImageRecord> {
    if (bytes.length === 0) throw new AppError('EMPTY_FILE', 'The file part is empty.');
    const image = await this.processor.process(bytes, { maxStoredBytes });
    const record: ImageRecord = {
      id: uuidv7(),
      contentType: image.contentType,
      size: image.bytes.length,
      width: image.width,
      height: image.height,
      sha256: createHash('sha256').update(image.bytes).digest('hex'),
      originalName: sanitizeOriginalName(clientFileName, this.config.MAX_ORIGINAL_NAME_LENGTH),
      createdAt: new Date().toISOString(),
    };
    await this.storage.put(record, Readable.from([image.bytes]));
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
      notFound: () => notFoundError(id),
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

const notFoundError = (id: string) => new AppError('IMAGE_NOT_FOUND', `No image with id ${id}.`);

function notFound(id: string): never {
  throw notFoundError(id);
}
