import type { AppConfig } from '../../config/app-config';
import { traceStorageCalls } from '../../observability/tracing';
import type { DirectUploadStore } from '../direct-uploads/direct-upload-store';
import type { ImageStorage } from '../image-storage';
import { DiskImageStorage } from './disk.image-storage';

/** Picks the adapter once, from validated config; in Lambda with tracing on, each call gets a subsegment. */
export function createImageStorage(config: AppConfig): ImageStorage {
  return traceStorageCalls(createAdapter(config));
}

function createAdapter(config: AppConfig): ImageStorage {
  switch (config.STORAGE_DRIVER) {
    case 'disk':
      return new DiskImageStorage(config.STORAGE_DIR);
    case 's3':
      throw new Error('STORAGE_DRIVER=s3 is not wired yet');
  }
}

/** Only an object store can take uploads directly; with the disk driver the routes answer 501. */
export function createDirectUploadStore(config: AppConfig): DirectUploadStore | null {
  switch (config.STORAGE_DRIVER) {
    case 'disk':
      return null;
    case 's3':
      throw new Error('STORAGE_DRIVER=s3 is not wired yet');
  }
}
