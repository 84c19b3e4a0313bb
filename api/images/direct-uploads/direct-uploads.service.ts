import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { AppConfig } from '../../config/app-config';
import type { ImageRecord } from '../image-record';
import { ImagesService } from '../images.service';
import { STORAGE_BACKEND, type StorageBackend } from '../storage/image-storage.factory';
import { StagedUploadTooLargeError, type DirectUploadStore, type PresignedPost } from './direct-upload-store';

export interface StartedUpload extends PresignedPost {
  readonly uploadId: string;
  readonly maxBytes: number;
  readonly expiresAt: string;
}

/**
 * Large images go straight to the object store. Completing one runs the checks of POST /images on the staged
 * bytes, with DIRECT_UPLOAD_MAX_BYTES as the size limit and no original name, and only a verified image is ever
 * listed. The staged object is deleted once read, whether it passes or not; one that cannot be read is left to
 * the bucket's expiry of `incoming/`.
 */
@Injectable()
export class DirectUploadsService {
  constructor(
    private readonly images: ImagesService,
    private readonly config: AppConfig,
    @Inject(STORAGE_BACKEND) backend: StorageBackend,
  ) {
    this.store = backend.directUploads;
  }

  private readonly store?: DirectUploadStore;

  async start(): Promise<StartedUpload> {
    const store = this.requireStore();
    const uploadId = randomUUID();
    const expiresSeconds = this.config.DIRECT_UPLOAD_EXPIRES_SECONDS;
    const maxBytes = this.config.DIRECT_UPLOAD_MAX_BYTES;
    const presigned = await store.createPresignedUpload(uploadId, { maxBytes, expiresSeconds });
    return { uploadId, maxBytes, expiresAt: new Date(Date.now() + expiresSeconds * 1000).toISOString(), ...presigned };
  }

  async complete(uploadId: string): Promise<ImageRecord> {
    const store = this.requireStore();
    let bytes: Buffer | undefined;
    try {
      bytes = await store.readIncoming(uploadId, this.config.DIRECT_UPLOAD_MAX_BYTES);
    } catch (error) {
      if (!(error instanceof StagedUploadTooLargeError)) throw error;
      await store.deleteIncoming(uploadId);
      throw new AppError('PAYLOAD_TOO_LARGE', `Images may be at most ${this.config.DIRECT_UPLOAD_MAX_BYTES} bytes.`);
    }
    if (bytes === undefined) {
      throw new AppError('UPLOAD_NOT_FOUND', 'Nothing was uploaded for this id, or it was already completed.');
    }
    try {
      return await this.images.upload(bytes, undefined, this.config.DIRECT_UPLOAD_MAX_BYTES);
    } finally {
      await store.deleteIncoming(uploadId);
    }
  }

  private requireStore(): DirectUploadStore {
    if (!this.store) {
      throw new AppError(
        'DIRECT_UPLOAD_UNAVAILABLE',
        'Direct uploads need an object store (STORAGE_DRIVER=s3); upload through POST /images instead.',
      );
    }
    return this.store;
  }
}
