import type { Metadata, Sharp } from 'sharp';
import type { AllowedImageType } from './image-record';
import type { VariantFormat } from './variants/variant-record';

// How images are written: stored originals keep their format at high quality, variants trade a little
// fidelity for size. Pure settings over sharp, so the processor stays about checks, slots and budgets.

/**
 * Re-encoding at a fixed quality can grow a file (a 4.1 MB JPEG saved at quality 75 becomes 7.2 MB at 90),
 * which would break the size limits downstream; lossy formats get one lower rung before giving up.
 */
export const QUALITY_LADDER: Record<AllowedImageType, readonly number[]> = {
  'image/jpeg': [90, 75],
  'image/webp': [90, 75],
  'image/avif': [60, 45],
  'image/png': [100],
  'image/gif': [100],
};

export function reencode(image: Sharp, contentType: AllowedImageType, metadata: Metadata, quality: number): Sharp {
  switch (contentType) {
    case 'image/jpeg':
      return image.jpeg({ quality });
    case 'image/png':
      return image.png({ palette: metadata.isPalette === true });
    case 'image/webp':
      return image.webp({ quality });
    case 'image/gif':
      return image.gif();
    case 'image/avif':
      // Effort 0: a quarter of effort 2's CPU for the same size here (9 MP of noise: 2.2 s against 9.4 s).
      return image.avif({ quality, effort: 0 });
  }
}

/** Variants are for display, so they trade a little fidelity for size, unlike the stored originals. */
export function encodeVariant(image: Sharp, format: VariantFormat): Sharp {
  switch (format) {
    case 'avif':
      // Effort 0 for the same reason as uploads: the CPU budget is shared with them.
      return image.avif({ quality: 50, effort: 0 });
    case 'webp':
      return image.webp({ quality: 80 });
    case 'jpeg':
      return image.jpeg({ quality: 80, mozjpeg: true });
    case 'png':
      return image.png({ compressionLevel: 9, adaptiveFiltering: true });
  }
}
