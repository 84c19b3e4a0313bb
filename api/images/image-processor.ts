import { Injectable } from '@nestjs/common';
import { fileTypeFromBuffer } from 'file-type';
import pLimit, { type LimitFunction } from 'p-limit';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { ALLOWED_IMAGE_TYPES, type AllowedImageType } from './image-record';

export interface ProcessedImage {
  readonly bytes: Buffer;
  readonly contentType: AllowedImageType;
  readonly width: number;
  readonly height: number;
}

// sharp reports AVIF as the HEIF container; the AV1 compression tells it apart from HEIC.
const SHARP_FORMAT_BY_TYPE: Record<AllowedImageType, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'heif',
};

const isAllowed = (mime: string | undefined): mime is AllowedImageType =>
  (ALLOWED_IMAGE_TYPES as readonly string[]).includes(mime ?? '');

/**
 * Decides what an upload is from its bytes and turns it into what we store. Order matters: the type comes from
 * file-type (sharp would happily rasterise SVG), the pixel budget is checked from the header before any decode,
 * and only then is the image fully decoded, which is what catches truncated or corrupt files and polyglots.
 */
@Injectable()
export class ImageProcessor {
  private readonly limit: LimitFunction;

  constructor(private readonly config: AppConfig) {
    this.limit = pLimit(config.MAX_CONCURRENT_PROCESSING);
  }

  async process(input: Buffer): Promise<ProcessedImage> {
    const contentType = await this.sniff(input);
    const metadata = await this.readHeader(input, contentType);
    return this.limit(() => this.decode(input, contentType, metadata));
  }

  private async sniff(input: Buffer): Promise<AllowedImageType> {
    const detected = await fileTypeFromBuffer(input);
    if (!isAllowed(detected?.mime)) {
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Only ${ALLOWED_IMAGE_TYPES.join(', ')} are accepted; the content is ${detected?.mime ?? 'not a recognised image'}.`,
      );
    }
    return detected.mime;
  }

  private async readHeader(input: Buffer, contentType: AllowedImageType): Promise<Metadata> {
    let metadata: Metadata;
    try {
      // Header only: the declared size must be judged before anything is decoded.
      metadata = await sharp(input, { limitInputPixels: false }).metadata();
    } catch {
      throw invalidImage();
    }
    const isAvif = metadata.format === 'heif' && metadata.compression === 'av1';
    if (metadata.format !== SHARP_FORMAT_BY_TYPE[contentType] || (contentType === 'image/avif') !== isAvif) {
      throw invalidImage();
    }
    const { width, height } = metadata;
    if (!width || !height) throw invalidImage();
    const frameHeight = metadata.pageHeight ?? height;
    const declaredPixels = width * frameHeight * Math.max(1, metadata.pages ?? 1);
    if (declaredPixels > this.config.MAX_IMAGE_PIXELS) {
      throw new AppError(
        'IMAGE_TOO_MANY_PIXELS',
        `The image declares ${declaredPixels} pixels (all frames); the limit is ${this.config.MAX_IMAGE_PIXELS}.`,
      );
    }
    return metadata;
  }

  private async decode(input: Buffer, contentType: AllowedImageType, metadata: Metadata): Promise<ProcessedImage> {
    const animated = (metadata.pages ?? 1) > 1;
    const source = sharp(input, {
      failOn: 'error',
      animated,
      limitInputPixels: this.config.MAX_IMAGE_PIXELS,
    });
    try {
      if (!this.config.STRIP_METADATA) {
        // Still decode everything, so corrupt files are refused even when bytes are kept verbatim.
        await source.stats();
        return { bytes: input, contentType, width: metadata.width, height: metadata.pageHeight ?? metadata.height };
      }
      const oriented = !animated && (metadata.orientation ?? 1) > 1 ? source.autoOrient() : source;
      const { data, info } = await reencode(oriented.keepIccProfile(), contentType, metadata).toBuffer({
        resolveWithObject: true,
      });
      return { bytes: data, contentType, width: info.width, height: info.pageHeight ?? info.height };
    } catch {
      throw invalidImage();
    }
  }
}

function reencode(image: Sharp, contentType: AllowedImageType, metadata: Metadata): Sharp {
  switch (contentType) {
    case 'image/jpeg':
      return image.jpeg({ quality: 90 });
    case 'image/png':
      return image.png({ palette: metadata.isPalette === true });
    case 'image/webp':
      return image.webp({ quality: 90 });
    case 'image/gif':
      return image.gif();
    case 'image/avif':
      return image.avif({ quality: 60, effort: 2 });
  }
}

const invalidImage = () =>
  new AppError('INVALID_IMAGE', 'The file is corrupt, truncated or not a valid image of the type its bytes claim.');
