import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/app-config';
import { imageFixtures } from '../test/image-fixtures';
import { ImageProcessor } from './image-processor';

describe(ImageProcessor.name, () => {
  const TEN_MB = 10 * 1024 * 1024;
  const processor = (env: Record<string, string> = {}) => {
    const instance = new ImageProcessor(loadConfig({ MAX_IMAGE_PIXELS: '1000000', ...env }));
    return { process: (input: Buffer, maxStoredBytes = TEN_MB) => instance.process(input, { maxStoredBytes }) };
  };

  it('judges the declared pixels from the header, before decoding', async () => {
    await expect(processor().process(imageFixtures.pngDeclaring(50_000, 50_000))).rejects.toMatchObject({
      code: 'IMAGE_TOO_MANY_PIXELS',
    });
  });

  it('refuses a side longer than MAX_IMAGE_DIMENSION even when the pixel count is within the limit', async () => {
    // 1 × 20,000 is only 20 kP, but long strips cost libvips far more per pixel than square images.
    await expect(processor().process(imageFixtures.pngDeclaring(1, 20_000, 1024))).rejects.toMatchObject({
      code: 'IMAGE_TOO_LARGE_DIMENSIONS',
    });
    await expect(
      processor({ MAX_IMAGE_DIMENSION: '100' }).process(await imageFixtures.png(101, 10)),
    ).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE_DIMENSIONS' });
    await expect(
      processor({ MAX_IMAGE_DIMENSION: '100' }).process(await imageFixtures.png(100, 10)),
    ).resolves.toBeDefined();
  });

  it('answers at the time budget even when the encoder never checks it, and refuses the image', async () => {
    const input = await imageFixtures.png();
    // An encoder that never returns, as AVIF's ignores sharp's own timeout: only the processor's deadline answers.
    const neverEncodes = vi.spyOn(sharp.prototype, 'toBuffer').mockReturnValue(new Promise(() => undefined));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const outcome = processor({ PROCESSING_TIMEOUT_SECONDS: '25' }).process(input);
      const settled = vi.fn();
      outcome.then(settled, settled);
      // The deadline is set when the encoder is started, after the header is read on libvips' own threads.
      while (neverEncodes.mock.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(25_000 - 1);
      expect(settled).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(settled).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ code: 'IMAGE_TOO_COMPLEX' }));
    } finally {
      vi.useRealTimers();
      neverEncodes.mockRestore();
    }
  });

  it('turns an upload away with 503 and Retry-After when no processing slot frees up in time', async () => {
    const busy = processor({
      MAX_IMAGE_PIXELS: '4000000',
      MAX_CONCURRENT_PROCESSING: '1',
      PROCESSING_QUEUE_TIMEOUT_MS: '0',
    });
    // Whichever gets the only slot holds it for a few hundred milliseconds; the other may not wait at all.
    const slow = await imageFixtures.noisyJpeg(1500, 90);
    const results = await Promise.allSettled([busy.process(slow), busy.process(slow)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({
      reason: { code: 'SERVER_BUSY', headers: { 'Retry-After': '2' } },
    });
  });

  it('steps a lossy format down in quality rather than storing a file bigger than the upload', async () => {
    const noise = await imageFixtures.noisyJpeg(300, 40);
    const atQuality90 = await sharp(noise).jpeg({ quality: 90 }).toBuffer();
    expect(atQuality90.length).toBeGreaterThan(noise.length);
    const result = await processor().process(noise);
    expect(result.bytes.length).toBeLessThan(atQuality90.length);
  });

  it('refuses (413) an image that would be stored larger than the limit of the path it came through', async () => {
    const noise = await imageFixtures.noisyJpeg(300, 40);
    await expect(processor().process(noise, 1000)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(processor({ STRIP_METADATA: 'false' }).process(noise, 1000)).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('counts every frame of an animation against the pixel limit', async () => {
    const frames = await solidFrames(
      Array.from({ length: 30 }, (_, i) => ({ r: i * 8, g: 0, b: 255 - i * 8 })),
      200,
    );
    const thirtyFrames = await sharp(frames, { join: { animated: true } })
      .webp()
      .toBuffer();
    expect((await sharp(thirtyFrames).metadata()).pages).toBe(30);
    // 30 × 200 × 200 = 1.2 MP: over a 1 MP limit although each frame is only 40 kP.
    await expect(processor().process(thirtyFrames)).rejects.toMatchObject({ code: 'IMAGE_TOO_MANY_PIXELS' });
    await expect(processor({ MAX_IMAGE_PIXELS: '2000000' }).process(thirtyFrames)).resolves.toMatchObject({
      contentType: 'image/webp',
      width: 200,
      height: 200,
    });
  });

  it('keeps animations animated', async () => {
    const twoFrames = await sharp(await solidFrames(['#f00', '#0f0'], 20), { join: { animated: true } })
      .webp()
      .toBuffer();
    const result = await processor().process(twoFrames);
    expect((await sharp(result.bytes).metadata()).pages).toBe(2);
  });

  it('keeps the original bytes, still fully decoded, when STRIP_METADATA=false', async () => {
    const original = await imageFixtures.jpegWithGpsAndOrientation();
    const result = await processor({ STRIP_METADATA: 'false' }).process(original);
    expect(result.bytes.equals(original)).toBe(true);
    await expect(processor({ STRIP_METADATA: 'false' }).process(await imageFixtures.truncated())).rejects.toMatchObject(
      { code: 'INVALID_IMAGE' },
    );
  });

  it('tells AVIF from other HEIF content by its codec', async () => {
    const avif = await imageFixtures.avif();
    await expect(processor().process(avif)).resolves.toMatchObject({
      contentType: 'image/avif',
      width: 16,
      height: 16,
    });
  });
});

const solidFrames = (backgrounds: (string | { r: number; g: number; b: number })[], size: number) =>
  Promise.all(
    backgrounds.map((background) =>
      sharp({ create: { width: size, height: size, channels: 4, background } })
        .png()
        .toBuffer(),
    ),
  );
