import { Injectable } from '@nestjs/common';
import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { ALLOWED_IMAGE_TYPES, isAllowedImageType, type AllowedImageType } from './image-record';
import { encodeVariant, QUALITY_LADDER, reencode } from './image-encoding';
import { ProcessingSlots } from './processing-slots';
import type { VariantFormat } from './variants/variant-record';

export interface ProcessedImage {
  readonly bytes: Buffer;
  readonly contentType: AllowedImageType;
  readonly width: number;
  readonly height: number;
}

export interface StoredImage extends ProcessedImage {
  /** ThumbHash of the first frame, base64. */
  readonly placeholder: string;
  readonly animated: boolean;
}

export interface VariantSpec {
  /** Longest side of the box the image is fitted inside; never enlarged. */
  readonly size: number;
  readonly format: VariantFormat;
  /** From the stored record: only a WebP variant of an animated image keeps every frame. */
  readonly animatedSource: boolean;
}

export interface MadeVariant {
  readonly bytes: Buffer;
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

export interface ProcessOptions {
  /** The stored bytes may not exceed this, whatever re-encoding did to them (413 otherwise). */
  readonly maxStoredBytes: number;
}

/**
 * Decides what an upload is from its bytes and turns it into what we store. Order matters: the type comes from
 * file-type (sharp would happily rasterise SVG), the pixel budget and each side are checked from the header
 * before any decode, and only then is the image fully decoded, which is what catches truncated or corrupt files
 * and polyglots. Decoding is CPU-bound, so it runs a few at a time with a time budget each, and an upload that
 * cannot get a slot soon enough is turned away with 503 rather than queued without bound.
 */
@Injectable()
export class ImageProcessor {
  private readonly slots: ProcessingSlots;

  constructor(private readonly config: AppConfig) {
    this.slots = new ProcessingSlots(config.MAX_CONCURRENT_PROCESSING);
    // Process-wide libvips settings. Its operation cache (50 MB by default) only pays off when the same image is
    // processed again, which never happens here: every upload is new. One thread per image, with
    // MAX_CONCURRENT_PROCESSING images at once, keeps the native memory in few allocator arenas
    // (docs/performance.md "Memory under sustained uploads").
    sharp.cache(config.SHARP_CACHE_MB > 0 ? { memory: config.SHARP_CACHE_MB, files: 0, items: 100 } : false);
    sharp.concurrency(config.SHARP_THREADS_PER_IMAGE);
  }

  async process(input: Buffer, options: ProcessOptions): Promise<StoredImage> {
    const contentType = await this.sniff(input);
    const metadata = await this.readHeader(input, contentType);
    return this.withSlot(async (expired) => {
      const image = await this.decode(input, contentType, metadata, options, expired);
      if (expired()) throw tooComplex();
      return { ...image, placeholder: await placeholderOf(image.bytes), animated: (metadata.pages ?? 1) > 1 };
    });
  }

  /**
   * A sized copy of an image this service stored (so already checked), under the same slots and time budget as
   * uploads. libvips decodes JPEG and WebP at a reduced size when the target allows (shrink-on-load), so a
   * thumbnail of a 12 MP photo never decodes 12 MP. Animation survives only in WebP; other formats take the
   * first frame.
   */
  async makeVariant(input: Buffer, { size, format, animatedSource }: VariantSpec): Promise<MadeVariant> {
    return this.withSlot(async () => {
      const animated = format === 'webp' && animatedSource;
      const source = sharp(input, { animated, limitInputPixels: this.config.MAX_IMAGE_PIXELS }).timeout({
        seconds: this.config.PROCESSING_TIMEOUT_SECONDS,
      });
      // Uploads are stored upright already; this covers those kept verbatim (STRIP_METADATA=false). It reads the
      // orientation from the decoder, so no separate metadata pass (which costs a third of a thumbnail's time).
      const upright = animated ? source : source.autoOrient();
      const resized = upright.resize(size, size, { fit: 'inside', withoutEnlargement: true });
      const { data, info } = await guarded(encodeVariant(resized, format).toBuffer({ resolveWithObject: true }));
      return { bytes: data, width: info.width, height: info.pageHeight ?? info.height };
    });
  }

  private async sniff(input: Buffer): Promise<AllowedImageType> {
    const detected = await fileTypeFromBuffer(input);
    if (!isAllowedImageType(detected?.mime)) {
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
    const maxSide = this.config.MAX_IMAGE_DIMENSION;
    if (width > maxSide || frameHeight > maxSide) {
      throw new AppError(
        'IMAGE_TOO_LARGE_DIMENSIONS',
        `The image declares ${width}×${frameHeight} pixels; neither side may exceed ${maxSide}.`,
      );
    }
    return metadata;
  }

  /**
   * Runs `work` when a processing slot frees up. The caller hears back within the queue wait plus the time
   * budget whatever libvips does (some encoders, AVIF among them, never check sharp's own timeout); an overrun
   * keeps its slot until libvips lets go, and starts no further step, so a flood of slow images turns into
   * 503s instead of piled-up CPU.
   */
  private async withSlot<T>(work: (expired: () => boolean) => Promise<T>): Promise<T> {
    const release = await this.slots.acquire(this.config.PROCESSING_QUEUE_TIMEOUT_MS);
    if (!release) {
      throw new AppError('SERVER_BUSY', 'Too many images are being processed right now; retry shortly.', {
        'Retry-After': '2',
      });
    }
    let expired = false;
    let budget: NodeJS.Timeout | undefined;
    const running = work(() => expired).finally(release);
    const deadline = new Promise<never>((_, reject) => {
      budget = setTimeout(() => {
        expired = true;
        reject(tooComplex());
      }, this.config.PROCESSING_TIMEOUT_SECONDS * 1000);
    });
    // Once the deadline has answered, a late failure of the abandoned work is expected and must not go unhandled.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, deadline]);
    } finally {
      clearTimeout(budget);
    }
  }

  private async decode(
    input: Buffer,
    contentType: AllowedImageType,
    metadata: Metadata,
    options: ProcessOptions,
    expired: () => boolean,
  ): Promise<ProcessedImage> {
    const animated = (metadata.pages ?? 1) > 1;
    const source = () =>
      sharp(input, { failOn: 'error', animated, limitInputPixels: this.config.MAX_IMAGE_PIXELS }).timeout({
        seconds: this.config.PROCESSING_TIMEOUT_SECONDS,
      });
    const frameHeight = metadata.pageHeight ?? metadata.height;
    if (!this.config.STRIP_METADATA) {
      // Still decode everything, so corrupt files are refused even when bytes are kept verbatim.
      await guarded(source().stats());
      return checkStoredSize({ bytes: input, contentType, width: metadata.width, height: frameHeight }, options);
    }
    let smallest: ProcessedImage | undefined;
    for (const quality of QUALITY_LADDER[contentType]) {
      if (expired()) throw tooComplex();
      const oriented = !animated && (metadata.orientation ?? 1) > 1 ? source().autoOrient() : source();
      const { data, info } = await guarded(
        reencode(oriented.keepIccProfile(), contentType, metadata, quality).toBuffer({ resolveWithObject: true }),
      );
      const candidate = { bytes: data, contentType, width: info.width, height: info.pageHeight ?? info.height };
      if (!smallest || data.length < smallest.bytes.length) smallest = candidate;
      // A lower quality only when re-encoding made the file bigger than what was uploaded.
      if (data.length <= input.length) break;
    }
    return checkStoredSize(smallest!, options);
  }
}

/** ThumbHash takes at most 100×100 RGBA pixels; the hash itself is about 25 bytes. */
async function placeholderOf(bytes: Buffer): Promise<string> {
  const { data, info } = await guarded(
    sharp(bytes)
      .autoOrient()
      .resize(100, 100, { fit: 'inside' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true }),
  );
  return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64');
}

function checkStoredSize(image: ProcessedImage, { maxStoredBytes }: ProcessOptions): ProcessedImage {
  if (image.bytes.length > maxStoredBytes) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `Once processed the image takes ${image.bytes.length} bytes; at most ${maxStoredBytes} bytes are stored.`,
    );
  }
  return image;
}

/** libvips reports a spent time budget as "timeout: N% complete"; everything else is a bad image. */
async function guarded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('timeout')) throw tooComplex();
    throw invalidImage();
  }
}

const tooComplex = () =>
  new AppError('IMAGE_TOO_COMPLEX', 'The image needs more processing time than the service allows.');

const invalidImage = () =>
  new AppError('INVALID_IMAGE', 'The file is corrupt, truncated or not a valid image of the type its bytes claim.');
