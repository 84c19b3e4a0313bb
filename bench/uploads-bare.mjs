// The baseline of `npm run bench:uploads`: the sharp work an upload costs, with nothing around it, in a process
// of its own. Reads one JSON command per line on stdin ({ file, count, concurrency }), processes `count` fresh
// copies of the file's bytes `concurrency` at a time, and answers one `RESULT {...}` line on stdout.
//
// The encoder settings come from the built service (dist/images/image-encoding.js) so the two cannot drift; the
// steps mirror ImageProcessor.process (header, re-encode down the quality ladder, ThumbHash placeholder) and the
// eager `thumb` variant (AVIF, what a browser's */* negotiates), with the service's libvips settings.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { root, timed } from './bench-kit.mjs';

const { QUALITY_LADDER, reencode, encodeVariant } = createRequire(import.meta.url)(
  `${root}/dist/images/image-encoding.js`,
);
const MAX_PIXELS = 40_000_000;
const TIMEOUT = { seconds: 10 };
const THUMB = 256;
const TYPE_BY_FORMAT = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif' };

sharp.cache(false);
sharp.concurrency(1);

async function uploadWork(input) {
  const metadata = await sharp(input, { limitInputPixels: false }).metadata();
  const contentType = TYPE_BY_FORMAT[metadata.format];
  const animated = (metadata.pages ?? 1) > 1;
  let stored;
  for (const quality of QUALITY_LADDER[contentType]) {
    const source = sharp(input, { failOn: 'error', animated, limitInputPixels: MAX_PIXELS }).timeout(TIMEOUT);
    const oriented = !animated && (metadata.orientation ?? 1) > 1 ? source.autoOrient() : source;
    const { data } = await reencode(oriented.keepIccProfile(), contentType, metadata, quality).toBuffer({
      resolveWithObject: true,
    });
    if (!stored || data.length < stored.length) stored = data;
    if (data.length <= input.length) break;
  }
  const { data, info } = await sharp(stored)
    .autoOrient()
    .resize(100, 100, { fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  rgbaToThumbHash(info.width, info.height, data);
  const thumb = sharp(stored, { animated: false, limitInputPixels: MAX_PIXELS })
    .timeout(TIMEOUT)
    .autoOrient()
    .resize(THUMB, THUMB, { fit: 'inside', withoutEnlargement: true });
  await encodeVariant(thumb, 'avif').toBuffer({ resolveWithObject: true });
}

for await (const line of createInterface({ input: process.stdin })) {
  const { file, count, concurrency } = JSON.parse(line);
  const bytes = readFileSync(file);
  // A fresh copy per image, as the service receives each upload anew.
  const seconds = await timed(
    Array.from({ length: count }, () => () => uploadWork(Buffer.from(bytes))),
    concurrency,
  );
  const { heapUsed, rss } = process.memoryUsage();
  process.stdout.write(`RESULT ${JSON.stringify({ seconds, heapUsed, rss })}\n`);
}
