import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { LINK_PROVIDERS } from '../links/links.providers';
import { SignedLinksController } from '../links/signed-links.controller';
import { ContentLinkSigner } from './content-link-signer';
import { CursorCodec } from './cursor.codec';
import { ContentDelivery } from './delivery/content-delivery';
import { DirectUploadStore } from './direct-uploads/direct-upload-store';
import { DirectUploadsController } from './direct-uploads/direct-uploads.controller';
import { DirectUploadsService } from './direct-uploads/direct-uploads.service';
import { ImageProcessor } from './image-processor';
import { ImageStorage } from './image-storage';
import { ImageUploadInterceptor } from './image-upload.interceptor';
import { ImagesController } from './images.controller';
import { ImagesService } from './images.service';
import {
  createContentLinkSigner,
  createDirectUploadStore,
  createImageStorage,
  createStorageAdapter,
  STORAGE_ADAPTER,
} from './storage/image-storage.factory';

@Module({
  // DirectUploadsController first: its static paths must win over ImagesController's `:id` routes.
  controllers: [DirectUploadsController, ImagesController, SignedLinksController],
  providers: [
    ImagesService,
    ContentDelivery,
    ...LINK_PROVIDERS,
    DirectUploadsService,
    ImageProcessor,
    ImageUploadInterceptor,
    {
      provide: CursorCodec,
      useFactory: (config: AppConfig) => new CursorCodec(config.cursorSecret),
      inject: [AppConfig],
    },
    { provide: STORAGE_ADAPTER, useFactory: createStorageAdapter, inject: [AppConfig] },
    { provide: ImageStorage, useFactory: createImageStorage, inject: [STORAGE_ADAPTER] },
    { provide: DirectUploadStore, useFactory: createDirectUploadStore, inject: [STORAGE_ADAPTER] },
    { provide: ContentLinkSigner, useFactory: createContentLinkSigner, inject: [STORAGE_ADAPTER] },
  ],
  exports: [ImageStorage],
})
export class ImagesModule {}
