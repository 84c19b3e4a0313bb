import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ContentLinks } from './links/content-links';
import { LINK_PROVIDERS } from './links/links.providers';
import { CdnVariantsController } from './links/cdn-variants.controller';
import { SignedLinksController } from './links/signed-links.controller';
import { CursorCodec } from './cursor.codec';
import { ContentDelivery } from './delivery/content-delivery';
import { DirectUploadsController } from './direct-uploads/direct-uploads.controller';
import { DirectUploadsService } from './direct-uploads/direct-uploads.service';
import { ImageProcessor } from './image-processor';
import { ImageStorage } from './image-storage';
import { ImageUploadInterceptor } from './image-upload.interceptor';
import { UploadMetricsInterceptor } from './upload-metrics.interceptor';
import { ImagesController } from './images.controller';
import { ImagesService } from './images.service';
import { createStorageBackend, STORAGE_BACKEND, type StorageBackend } from './storage/image-storage.factory';
import { StorageInstrumentation } from './storage/storage-instrumentation';
import { StorageSweeper } from './storage-sweeper';
import { ImageVariantsService } from './variants/image-variants.service';

@Module({
  // DirectUploadsController first: its static paths must win over ImagesController's `:id` routes.
  controllers: [DirectUploadsController, ImagesController, SignedLinksController, CdnVariantsController],
  providers: [
    ImagesService,
    ImageVariantsService,
    ContentDelivery,
    ...LINK_PROVIDERS,
    DirectUploadsService,
    ImageProcessor,
    ImageUploadInterceptor,
    UploadMetricsInterceptor,
    StorageSweeper,
    {
      provide: CursorCodec,
      useFactory: (config: AppConfig) => new CursorCodec(config.cursorSecret),
      inject: [AppConfig],
    },
    { provide: STORAGE_BACKEND, useFactory: createStorageBackend, inject: [AppConfig, StorageInstrumentation] },
    { provide: ImageStorage, useFactory: (backend: StorageBackend) => backend.storage, inject: [STORAGE_BACKEND] },
  ],
  exports: [ImageStorage, ContentLinks],
})
export class ImagesModule {}
