import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CursorCodec } from './cursor.codec';
import { ImageProcessor } from './image-processor';
import { ImageStorage } from './image-storage';
import { ImageUploadInterceptor } from './image-upload.interceptor';
import { ImagesController } from './images.controller';
import { ImagesService } from './images.service';
import { createImageStorage } from './storage/image-storage.factory';

@Module({
  controllers: [ImagesController],
  providers: [
    ImagesService,
    ImageProcessor,
    ImageUploadInterceptor,
    {
      provide: CursorCodec,
      useFactory: (config: AppConfig) => new CursorCodec(config.cursorSecret),
      inject: [AppConfig],
    },
    { provide: ImageStorage, useFactory: createImageStorage, inject: [AppConfig] },
  ],
  exports: [ImageStorage],
})
export class ImagesModule {}
