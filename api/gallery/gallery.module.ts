import { Module } from '@nestjs/common';
import { GalleryAssets } from './gallery-assets';
import { GalleryController } from './gallery.controller';

@Module({ controllers: [GalleryController], providers: [GalleryAssets] })
export class GalleryModule {}
