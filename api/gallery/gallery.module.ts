import { Module } from '@nestjs/common';
import { ImagesModule } from '../images/images.module';
import { GalleryAssets } from './gallery-assets';
import { GalleryController } from './gallery.controller';

// ImagesModule for ContentLinks only: the page must allow images from wherever the links point.
@Module({ imports: [ImagesModule], controllers: [GalleryController], providers: [GalleryAssets] })
export class GalleryModule {}
