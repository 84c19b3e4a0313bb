#!/usr/bin/env node
// npm run bench:variants: what variants cost and save, each figure beside its baseline from the same run.
//   1. First-request `thumb` WebP generation from a 12 MP photo-like JPEG (~3 MB) through the API at concurrency 2,
//      against a bare Node script doing the same sharp work on the same bytes at the same concurrency.
//   2. A stored variant GET (wrk, 16 connections, loopback) against GET /content of an original of exactly the same
//      bytes, and against a bare node:http server streaming the same file.
//   3. The bytes a 20-item gallery page transfers with `thumb` WebP instead of the originals.
// Medians over ROUNDS rounds (default 5); wrk runs WRK_SECONDS each (default 4). Loopback only, bounded in time.
//   ROUNDS=7 WRK_SECONDS=5 npm run bench:variants
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  bytesOf,
  ensureBuilt,
  fmt,
  median,
  photoLike,
  startApi,
  startBareServer,
  timed,
  upload,
  wrk,
} from './bench-kit.mjs';

const rounds = Math.max(3, Number(process.env.ROUNDS ?? 5));
const wrkSeconds = Math.max(2, Number(process.env.WRK_SECONDS ?? 4));
const IMAGES_PER_ROUND = 6;
const CONCURRENCY = 2;
const GOALS = { generation: 0.85, storedVsContent: 0.9 };

const log = (message) => process.stderr.write(`[bench:variants] ${message}\n`);

/** The sharp work the service does for a thumb WebP, with nothing around it. */
const bareThumb = async (input) => {
  const { data } = await sharp(input, { limitInputPixels: 40_000_000 })
    .resize(256, 256, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  createHash('sha256').update(data).digest('hex');
  return data;
};

async function main() {
  ensureBuilt(log);
  const storageDir = mkdtempSync(join(tmpdir(), 'imagestore-bench-variants-'));
  const api = await startApi(storageDir, {
    // Kept verbatim, so an original can be stored with exactly a variant's bytes (same size, same file type).
    STRIP_METADATA: 'false',
    IMAGE_VARIANTS_EAGER: 'none',
    MAX_CONCURRENT_PROCESSING: String(CONCURRENCY),
    PROCESSING_QUEUE_TIMEOUT_MS: '20000',
  });
  try {
    log('making a 12 MP photo-like JPEG');
    const photo = await photoLike(4000, 3000, 0x9e3779b9);
    log(`photo: ${(photo.length / 1e6).toFixed(2)} MB; ${rounds} rounds of ${IMAGES_PER_ROUND} first requests`);

    // 1. First-request generation.
    const apiRates = [];
    const bareRates = [];
    for (let round = 0; round < rounds; round++) {
      const ids = [];
      for (let i = 0; i < IMAGES_PER_ROUND; i++) ids.push((await upload(api.base, photo, 'photo.jpg')).id);
      const stored = await bytesOf(`${api.base}/images/${ids[0]}/content`);
      const apiSeconds = await timed(
        ids.map((id) => () => bytesOf(`${api.base}/images/${id}/variants/thumb?format=webp`)),
        CONCURRENCY,
      );
      // A fresh copy per image, as the API reads each from storage: libvips would otherwise answer repeats of one
      // buffer from its operation cache.
      const bareSeconds = await timed(
        ids.map(() => () => bareThumb(Buffer.from(stored))),
        CONCURRENCY,
      );
      apiRates.push(IMAGES_PER_ROUND / apiSeconds);
      bareRates.push(IMAGES_PER_ROUND / bareSeconds);
      for (const id of ids) await fetch(`${api.base}/images/${id}`, { method: 'DELETE' });
    }

    // 2. Stored variant GET against /content of an original with the very same bytes, and a bare server.
    const source = await upload(api.base, photo, 'photo.jpg');
    const variantUrl = `${api.base}/images/${source.id}/variants/thumb?format=webp`;
    const variantBytes = await bytesOf(variantUrl);
    const twin = await upload(api.base, variantBytes, 'twin.webp');
    if (twin.size !== variantBytes.length) throw new Error('the twin original is not the variant’s bytes');
    const contentUrl = `${api.base}/images/${twin.id}/content`;
    const negotiatedUrl = `${api.base}/images/${source.id}/variants/thumb`;
    const variantFile = join(storageDir, source.id, 'variants', 'thumb.webp', 'content');
    const bare = await startBareServer(
      {
        '/': {
          file: variantFile,
          headers: {
            'Content-Type': 'image/webp',
            'Content-Length': String(variantBytes.length),
            ETag: '"bare"',
            'Cache-Control': 'private, max-age=31536000, immutable',
          },
        },
      },
      1,
    );
    const targets = {
      variant: [variantUrl, {}],
      variantNegotiated: [negotiatedUrl, { Accept: 'image/webp' }],
      content: [contentUrl, {}],
      bare: [`${bare.base}/`, {}],
    };
    const samples = Object.fromEntries(Object.keys(targets).map((key) => [key, []]));
    log(`wrk: ${rounds} rounds × ${Object.keys(targets).length} targets × ${wrkSeconds} s`);
    try {
      for (let round = 0; round < rounds; round++) {
        for (const [key, [url, headers]] of Object.entries(targets)) samples[key].push(wrk(url, wrkSeconds, headers));
      }
    } finally {
      await bare.stop();
    }
    const summary = Object.fromEntries(
      Object.entries(samples).map(([key, list]) => [
        key,
        {
          rps: median(list.map((s) => s.rps)),
          p50: median(list.map((s) => s.p50)),
          p99: median(list.map((s) => s.p99)),
        },
      ]),
    );

    // 3. A gallery page of 20 different photos (3 MP each): thumbs against originals.
    log('gallery: 20 photos');
    let originalBytes = 0;
    let thumbBytes = 0;
    for (let i = 0; i < 20; i++) {
      const image = await upload(api.base, await photoLike(2000, 1500, 1000 + i), `gallery-${i}.jpg`);
      originalBytes += image.size;
      thumbBytes += (await bytesOf(`${api.base}/images/${image.id}/variants/thumb?format=webp`)).length;
    }

    const generation = { api: median(apiRates), bare: median(bareRates) };
    const rows = [
      ['1. first-request thumb WebP from 12 MP JPEG, concurrency 2', '', '', ''],
      ['   through the API (images/s)', fmt(generation.api, 2), '', ''],
      ['   bare sharp script (images/s)', fmt(generation.bare, 2), '', ''],
      [`   ratio API / bare (goal ≥ ${GOALS.generation})`, fmt(generation.api / generation.bare, 2), '', ''],
      [`2. GET ${variantBytes.length} bytes, wrk 16 connections`, 'req/s', 'p50 ms', 'p99 ms'],
      ['   stored variant, ?format=webp', ...cells(summary.variant)],
      ['   stored variant, negotiated (Accept)', ...cells(summary.variantNegotiated)],
      ['   /content of an original, same bytes', ...cells(summary.content)],
      ['   bare node:http streaming the file', ...cells(summary.bare)],
      [
        `   ratio variant / content (goal ≥ ${GOALS.storedVsContent})`,
        fmt(summary.variant.rps / summary.content.rps, 2),
        '',
        '',
      ],
      ['   ratio negotiated / content', fmt(summary.variantNegotiated.rps / summary.content.rps, 2), '', ''],
      ['   ratio variant / bare', fmt(summary.variant.rps / summary.bare.rps, 2), '', ''],
      ['3. 20-item gallery page (3 MP photos)', 'bytes', '', ''],
      ['   originals', String(originalBytes), '', ''],
      ['   thumb WebP', String(thumbBytes), '', ''],
      ['   ratio thumbs / originals', fmt(thumbBytes / originalBytes, 4), '', ''],
    ];
    const width = Math.max(...rows.map((row) => row[0].length));
    console.log(`node ${process.version}, ${rounds} rounds (medians), wrk ${wrkSeconds} s per sample`);
    for (const row of rows)
      console.log(
        `${row[0].padEnd(width)}  ${row
          .slice(1)
          .map((c) => c.padStart(9))
          .join(' ')}`,
      );
  } finally {
    await api.stop();
    rmSync(storageDir, { recursive: true, force: true });
  }
}

const cells = (s) => [fmt(s.rps, 0), fmt(s.p50, 2), fmt(s.p99, 2)];

await main();
