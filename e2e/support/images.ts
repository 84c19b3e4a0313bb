// Test images made on the fly with sharp, so no binaries are committed.
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A PNG of the given size with a gradient (so re-encoding has real content to keep). */
export async function makePng(width: number, height: number): Promise<Buffer> {
  const channels = 3;
  const raw = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * channels;
      raw[offset] = (x * 255) / Math.max(1, width - 1);
      raw[offset + 1] = (y * 255) / Math.max(1, height - 1);
      raw[offset + 2] = 128;
    }
  }
  return sharp(raw, { raw: { width, height, channels } }).png().toBuffer();
}

/** A PNG of random noise: it barely compresses, so its size is about width × height × 3 bytes. */
export async function makeNoisePng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .png()
    .toBuffer();
}

/** A JPEG carrying EXIF (camera data and a copyright line), to check the service strips it. */
export async function makeJpegWithExif(width: number, height: number): Promise<Buffer> {
  return sharp(await makePng(width, height))
    .jpeg({ quality: 80 })
    .withExif({ IFD0: { Copyright: 'imagestore-e2e', Make: 'E2E Camera', Model: 'Black Box' } })
    .toBuffer();
}

/**
 * A real, small PNG whose IHDR claims width×height (CRC fixed up): a "decompression bomb" by its header. The
 * pixel data still belongs to the small image, so only a service that trusts the header would try to decode it.
 */
export async function makePngBomb(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await makePng(8, 8));
  // Signature (8) + IHDR length (4) + type (4) = 16: width and height follow, then 5 more bytes, then the CRC.
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('unexpected PNG layout');
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

export const svg = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' +
    '<script>alert(1)</script><rect width="10" height="10" fill="red"/></svg>',
);

export const text = Buffer.from('this is plain text, not an image\n');

/** What sharp sees in a response body. */
export async function decode(bytes: Uint8Array): Promise<sharp.Metadata> {
  return sharp(bytes).metadata();
}

/** sharp's format name for a Content-Type. */
export const SHARP_FORMAT_BY_TYPE: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'heif',
};
