import type { AppConfig } from '../../config/app-config';
import type { ImageStorage } from '../image-storage';
import { DiskImageStorage } from './disk.image-storage';

/** Picks the adapter once, from validated config. */
export function createImageStorage(config: AppConfig): ImageStorage {
  switch (config.STORAGE_DRIVER) {
    case 'disk':
      return new DiskImageStorage(config.STORAGE_DIR);
    case 's3':
      throw new Error('STORAGE_DRIVER=s3 is not wired yet');
  }
}
