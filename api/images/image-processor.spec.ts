import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { imageFixtures } from '../test/image-fixtures';
import { ImageProcessor } from './image-processor';

describe(ImageProcessor.name, () => {
  const processor = (env: Record<string, string> = {}) =>
    new ImageProcessor(loadConfig({ MAX_IMAGE_PIXELS: '1000000', ...env }));

  it('judges the declared pixels from the header, before decoding', async () => {
    await expect(processor().process(imageFixtures.pngDeclaring(50_000, 50_000))).rejects.toMatchObject({
      code: 'IMAGE_TOO_MANY_PIXELS',
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
