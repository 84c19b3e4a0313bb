import { resolve } from 'node:path';
import { StartupError } from '../../common/startup-error';
import type { AppConfig } from '../../config/app-config';
import type { ContentLinkSigner } from '../content-link-signer';
import type { DirectUploadStore } from '../direct-uploads/direct-upload-store';
import type { ImageStorage } from '../image-storage';
import { DiskImageStorage } from './disk.image-storage';
import { RecordCache } from './record-cache';
import type { VariantRecord } from '../variants/variant-record';
import type { StorageInstrumentation } from './storage-instrumentation';

/** What the configured backend offers: always the storage port, and the optional capabilities it has. */
export interface StorageBackend {
  readonly storage: ImageStorage;
  /** Only an object store can take uploads directly; without it the routes answer 501. */
  readonly directUploads?: DirectUploadStore;
  /** Only an object store can hand out links to its objects; without it every image is streamed. */
  readonly contentLinks?: ContentLinkSigner;
}

export const STORAGE_BACKEND = Symbol('STORAGE_BACKEND');

/** Picks the backend once, from validated config, with one adapter instance (and so one S3 client) behind it. */
export async function createStorageBackend(
  config: AppConfig,
  instrumentation: StorageInstrumentation,
): Promise<StorageBackend> {
  switch (config.STORAGE_DRIVER) {
    case 'disk': {
      const storage = new DiskImageStorage(config.STORAGE_DIR, {
        idempotencyKeyTtlMs: config.IDEMPOTENCY_KEY_TTL_SECONDS * 1000,
        recordCache: new RecordCache(config.RECORD_CACHE_MAX_ENTRIES),
        variantRecordCache: new RecordCache<VariantRecord>(config.RECORD_CACHE_MAX_ENTRIES),
      });
      await probeDisk(storage, config.STORAGE_DIR);
      return { storage: instrumentation.decorateStorage(storage) };
    }
    case 's3': {
      // Loaded only in S3 mode, so the AWS SDK costs nothing at start-up with the disk driver.
      const { S3ImageStorage } = await import('./s3.image-storage.js');
      const s3 = new S3ImageStorage({
        bucket: config.S3_BUCKET as string,
        region: config.AWS_REGION,
        endpoint: config.S3_ENDPOINT,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        connectTimeoutMs: config.S3_CONNECT_TIMEOUT_MS,
        requestTimeoutMs: config.S3_REQUEST_TIMEOUT_MS,
        maxAttempts: config.S3_MAX_ATTEMPTS,
        instrumentClient: (client) => instrumentation.instrumentClient(client),
        idempotencyKeyTtlMs: config.IDEMPOTENCY_KEY_TTL_SECONDS * 1000,
        recordCache: new RecordCache(config.RECORD_CACHE_MAX_ENTRIES),
      });
      return { storage: instrumentation.decorateStorage(s3), directUploads: s3.presigned, contentLinks: s3.presigned };
    }
  }
}

/** Refuses to start on a directory that cannot take an upload, rather than fail every upload later. */
async function probeDisk(storage: DiskImageStorage, dir: string): Promise<void> {
  try {
    await storage.checkReady();
  } catch (error) {
    const cause = (error as Error).cause ?? error;
    const detail = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new StartupError(
      `STORAGE_DIR=${dir} (${resolve(dir)}) cannot be used: ${detail} (${(cause as Error).message})`,
      { cause: error },
    );
  }
}
