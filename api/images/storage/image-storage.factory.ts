import { resolve } from 'node:path';
import { StartupError } from '../../common/startup-error';
import type { AppConfig } from '../../config/app-config';
import type { ContentLinkSigner } from '../content-link-signer';
import { traceStorageCalls } from '../../observability/tracing';
import type { DirectUploadStore } from '../direct-uploads/direct-upload-store';
import type { ImageStorage } from '../image-storage';
import { DiskImageStorage } from './disk.image-storage';

/** The one adapter instance (and so the one S3 client) behind both ports. */
export const STORAGE_ADAPTER = Symbol('STORAGE_ADAPTER');

/** Picks the adapter once, from validated config. */
export async function createStorageAdapter(config: AppConfig): Promise<ImageStorage> {
  switch (config.STORAGE_DRIVER) {
    case 'disk': {
      const storage = new DiskImageStorage(config.STORAGE_DIR, {
        idempotencyKeyTtlMs: config.IDEMPOTENCY_KEY_TTL_SECONDS * 1000,
      });
      await probeDisk(storage, config.STORAGE_DIR);
      return storage;
    }
    case 's3': {
      // Loaded only in S3 mode, so the AWS SDK costs nothing at start-up with the disk driver.
      const { S3ImageStorage } = await import('./s3.image-storage.js');
      return new S3ImageStorage({
        bucket: config.S3_BUCKET as string,
        region: config.AWS_REGION,
        endpoint: config.S3_ENDPOINT,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        connectTimeoutMs: config.S3_CONNECT_TIMEOUT_MS,
        requestTimeoutMs: config.S3_REQUEST_TIMEOUT_MS,
        maxAttempts: config.S3_MAX_ATTEMPTS,
        idempotencyKeyTtlMs: config.IDEMPOTENCY_KEY_TTL_SECONDS * 1000,
      });
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

/** In Lambda with tracing on, each storage call gets a subsegment. */
export function createImageStorage(adapter: ImageStorage): ImageStorage {
  return traceStorageCalls(adapter);
}

/** Only an object store can take uploads directly; with the disk driver the routes answer 501. */
export function createDirectUploadStore(adapter: ImageStorage): DirectUploadStore | null {
  const candidate = adapter as Partial<DirectUploadStore>;
  return typeof candidate.createPresignedUpload === 'function' &&
    typeof candidate.readIncoming === 'function' &&
    typeof candidate.deleteIncoming === 'function'
    ? (adapter as unknown as DirectUploadStore)
    : null;
}

/** Only an object store can hand out links to its objects; with the disk driver every image is streamed. */
export function createContentLinkSigner(adapter: ImageStorage): ContentLinkSigner | null {
  const candidate = adapter as Partial<ContentLinkSigner>;
  return typeof candidate.signContentLink === 'function' ? (adapter as unknown as ContentLinkSigner) : null;
}
