import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';

/** Images made on the fly, so tests carry no binary fixtures and each case states what it is. */
export const imageFixtures = {
  png: (width = 64, height = 48) =>
    sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .png()
      .toBuffer(),
  jpeg: (width = 64, height = 48) =>
    sharp({ create: { width, height, channels: 3, background: { r: 20, g: 120, b: 200 } } })
      .jpeg()
      .toBuffer(),
  webp: () =>
    sharp({ create: { width: 32, height: 32, channels: 4, background: '#33aa33' } })
      .webp()
      .toBuffer(),
  gif: () =>
    sharp({ create: { width: 16, height: 16, channels: 3, background: '#ffaa00' } })
      .gif()
      .toBuffer(),
  avif: () =>
    sharp({ create: { width: 16, height: 16, channels: 3, background: '#0055ff' } })
      .avif()
      .toBuffer(),
  /** Detail that compresses badly, like a photo's: re-encoding it at a higher quality makes it bigger. */
  noisyJpeg: (size: number, quality: number) => {
    const pixels = Buffer.alloc(size * size * 3);
    let state = 0x9e3779b9; // xorshift32: noise that is the same in every run
    for (let i = 0; i < pixels.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      pixels[i] = state & 0xff;
    }
    return sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
      .jpeg({ quality })
      .toBuffer();
  },
  /** A three-frame animated GIF, one colour per frame. */
  animatedGif: async (width = 60, height = 40) => {
    const frames = await Promise.all(
      ['#ff0000', '#00ff00', '#0000ff'].map((background) =>
        sharp({ create: { width, height, channels: 3, background } })
          .png()
          .toBuffer(),
      ),
    );
    return sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
  },
  /** A 40×20 photo carrying GPS coordinates and EXIF orientation 6 (displayed rotated 90°, so 20×40). */
  jpegWithGpsAndOrientation: () =>
    sharp({ create: { width: 40, height: 20, channels: 3, background: '#808080' } })
      .withExif({
        IFD0: { Make: 'TestCam' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
      })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer(),
  /** A real PNG whose header declares width×height; padded with IDAT data to look like an ordinary upload. */
  pngDeclaring: (width: number, height: number, padToBytes = 300 * 1024) => {
    const chunk = (type: string, data: Buffer) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body));
      return Buffer.concat([length, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, adaptive filter, no interlace
    const rows = Buffer.alloc(padToBytes * 4); // zeros compress well, so this stays near padToBytes
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(rows, { level: 0 }).subarray(0, padToBytes)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  },
  svg: () =>
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'),
  html: () => Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'),
  gifHeaderThenHtml: () => Buffer.from('GIF89a<html><body><script>alert(1)</script></body></html>'),
  pngSignatureThenHtml: () =>
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('<html><script>alert(1)</script></html>'),
    ]),
  eicar: () => Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'),
  truncated: async () => {
    const full = await imageFixtures.jpeg(400, 300);
    return full.subarray(0, Math.floor(full.length / 2));
  },
};
