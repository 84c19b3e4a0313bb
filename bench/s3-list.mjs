#!/usr/bin/env node
// npm run bench:s3-list: `GET /images?limit=10|50|100` on S3 (the local S3 server, or any S3_TEST_* endpoint), with
// the record cache off (the baseline: one HEAD per item) and on, in the same run on the same bucket of IMAGES
// (300) images. Warm: two servers (`node dist/main.js`) side by side, requests interleaved, ROUNDS × 3 samples
// each. Fresh process: a new server per sample (cache off and on, interleaved), whose page is measured right after
// one request of limit=1 (the page after it, so every record of the page measured is a miss). Then the heap and
// RSS a full cache holds (RECORD_CACHE_MAX_ENTRIES, default 10000 records shaped like real ones).
//   set -a; eval "$(scripts/local-s3.sh start)"; set +a   # or the S3_TEST_* variables, as for the tests
//   S3_TEST_ENDPOINT=… ROUNDS=7 BENCH_PORT_BASE=62200 npm run bench:s3-list
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureBuilt, root, rssMb, startApi } from './bench-kit.mjs';

if (typeof globalThis.gc !== 'function') {
  const child = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const images = Number(process.env.IMAGES ?? 300);
const rounds = Number(process.env.ROUNDS ?? 5);
const cacheEntries = Number(process.env.RECORD_CACHE_MAX_ENTRIES ?? 10_000);
const LIMITS = [10, 50, 100];
const SAMPLES_PER_ROUND = 3;

ensureBuilt((message) => process.stderr.write(`[bench:s3-list] ${message}\n`));
const require = createRequire(import.meta.url);
const { toObjectMetadata, fromObjectMetadata } = require(join(root, 'dist/images/storage/s3-object-metadata.js'));
const { RecordCache } = require(join(root, 'dist/images/storage/record-cache.js'));
const { S3Client, CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, PutObjectCommand } =
  await import('@aws-sdk/client-s3');
const { v7: uuidv7 } = await import('uuid');
const { default: pLimit } = await import('p-limit');

const need = (name) => {
  if (!process.env[name]) throw new Error(`${name} is needed (as for the S3 tests; see the header of this file)`);
  return process.env[name];
};
const s3 = {
  endpoint: process.env.S3_TEST_ENDPOINT ?? need('S3_ENDPOINT'),
  region: process.env.S3_TEST_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
  accessKeyId: process.env.S3_TEST_ACCESS_KEY_ID ?? need('AWS_ACCESS_KEY_ID'),
  secretAccessKey: process.env.S3_TEST_SECRET_ACCESS_KEY ?? need('AWS_SECRET_ACCESS_KEY'),
};
const admin = new S3Client({
  endpoint: s3.endpoint,
  region: s3.region,
  forcePathStyle: true,
  credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const bucket = `imagestore-bench-${randomUUID().slice(0, 13)}`;

const sampleRecord = (index) => ({
  id: uuidv7(),
  contentType: 'image/png',
  size: 1024,
  width: 640,
  height: 480,
  sha256: randomBytes(32).toString('hex'),
  originalName: `holiday photo ${index}.png`,
  createdAt: new Date().toISOString(),
  placeholder: randomBytes(24).toString('base64'),
  animated: false,
});

async function fillBucket() {
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  const puts = pLimit(16);
  const keys = [];
  await Promise.all(
    Array.from({ length: images }, (_, index) =>
      puts(async () => {
        const record = sampleRecord(index);
        keys.push(`images/${record.id}`);
        await admin.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `images/${record.id}`,
            Body: randomBytes(record.size),
            ContentType: record.contentType,
            Metadata: toObjectMetadata(record),
          }),
        );
      }),
    ),
  );
  return keys;
}

async function emptyBucket(keys) {
  const deletes = pLimit(16);
  await Promise.all(keys.map((Key) => deletes(() => admin.send(new DeleteObjectCommand({ Bucket: bucket, Key })))));
  await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** The built API on the bench bucket, with the record cache at `cacheMaxEntries` (0: off, the baseline). */
async function startServer(portOffset, cacheMaxEntries) {
  const api = await startApi(
    tmpdir(),
    {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: bucket,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      STORAGE_SWEEP_INTERVAL_SECONDS: '0',
      RECORD_CACHE_MAX_ENTRIES: String(cacheMaxEntries),
    },
    portOffset,
  );
  return { base: api.base, pid: api.child.pid, stop: api.stop };
}

/** Milliseconds for one page, body parsed; fails loudly on a short page so a broken run cannot look fast. */
async function timePage(base, limit, cursor) {
  const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const started = performance.now();
  const response = await fetch(`${base}/images?${query}`);
  const body = await response.json();
  const ms = performance.now() - started;
  if (!response.ok || body.items.length !== limit) throw new Error(`GET /images?${query}: ${JSON.stringify(body)}`);
  return { ms, nextCursor: body.nextCursor };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function warm() {
  const off = await startServer(1, 0);
  const on = await startServer(2, cacheEntries);
  try {
    const subjects = { off, on };
    for (const server of Object.values(subjects)) for (const limit of LIMITS) await timePage(server.base, limit);
    const samples = { off: {}, on: {} };
    for (let round = 0; round < rounds; round++) {
      for (const limit of LIMITS) {
        for (const [name, server] of Object.entries(subjects)) {
          for (let sample = 0; sample < SAMPLES_PER_ROUND; sample++) {
            (samples[name][limit] ??= []).push((await timePage(server.base, limit)).ms);
          }
        }
      }
    }
    return { samples, rss: { off: rssMb(off.pid), on: rssMb(on.pid) } };
  } finally {
    await Promise.all([off.stop(), on.stop()]);
  }
}

/** Fresh processes, with and without the cache, interleaved: what a new (Lambda) instance's first pages cost. */
async function cold() {
  const samples = { off: {}, on: {} };
  for (let round = 0; round < rounds; round++) {
    for (const limit of LIMITS) {
      for (const [name, entries] of [
        ['off', 0],
        ['on', cacheEntries],
      ]) {
        const server = await startServer(3, entries);
        try {
          const { nextCursor } = await timePage(server.base, 1);
          (samples[name][limit] ??= []).push((await timePage(server.base, limit, nextCursor)).ms);
        } finally {
          await server.stop();
        }
      }
    }
  }
  return samples;
}

/** What a full cache holds: records made as the adapter makes them, under versions shaped like a listing's. */
function cacheMemory() {
  const before = (globalThis.gc(), process.memoryUsage());
  const cache = new RecordCache(cacheEntries);
  for (let index = 0; index < cacheEntries; index++) {
    const record = sampleRecord(index);
    const stored = fromObjectMetadata(record.id, {
      ContentType: record.contentType,
      Metadata: toObjectMetadata(record),
    });
    cache.set(record.id, `"${randomBytes(16).toString('hex')}" ${Date.now()} ${record.size}`, stored);
  }
  const after = (globalThis.gc(), process.memoryUsage());
  if (cache.size !== cacheEntries) throw new Error(`cache holds ${cache.size}`);
  return { heapMb: (after.heapUsed - before.heapUsed) / 2 ** 20, rssMb: (after.rss - before.rss) / 2 ** 20 };
}

process.stderr.write(`bench: ${images} images into ${s3.endpoint} bucket ${bucket}\n`);
const keys = await fillBucket();
let results;
try {
  const load = [loadavg()[0]];
  const warmResults = await warm();
  load.push(loadavg()[0]);
  const coldResults = await cold();
  load.push(loadavg()[0]);
  results = { warm: warmResults, cold: coldResults, memory: cacheMemory(), load };
} finally {
  await emptyBucket(keys);
  admin.destroy();
}

const ms = (values) => median(values).toFixed(1).padStart(7);
const rows = [
  ['cache off, fresh process', results.cold.off],
  ['cache on, fresh process', results.cold.on],
  ['cache off (baseline), warm', results.warm.samples.off],
  ['cache on, warm', results.warm.samples.on],
];
const lines = [
  `${images} images on ${s3.endpoint}; medians of ${rounds * SAMPLES_PER_ROUND} warm samples and ${rounds} cold ones; ` +
    `load average (1 min) ${results.load.map((value) => value.toFixed(1)).join(' → ')}`,
  '',
  `| ${'GET /images'.padEnd(28)} | limit=10 ms | limit=50 ms | limit=100 ms | 100 / 10 | goal ≤ 2× |`,
  `| ${'-'.repeat(28)} | ----------: | ----------: | -----------: | -------: | --------- |`,
  ...rows.map(([label, samples]) => {
    const ratio = median(samples[100]) / median(samples[10]);
    const cells = LIMITS.map((limit) => ms(samples[limit]).padStart(limit === 100 ? 12 : 11));
    return `| ${label.padEnd(28)} | ${cells.join(' | ')} | ${`${ratio.toFixed(2)}×`.padStart(8)} | ${(ratio <= 2 ? 'met' : 'not met').padEnd(9)} |`;
  }),
  '',
  `limit=100, cache off / cache on (warm): ${(median(results.warm.samples.off[100]) / median(results.warm.samples.on[100])).toFixed(1)}×`,
  `server RSS after the warm rounds: cache off ${results.warm.rss.off.toFixed(0)} MB, cache on ${results.warm.rss.on.toFixed(0)} MB (${images} records cached)`,
  `a full cache of ${cacheEntries} records: heap +${results.memory.heapMb.toFixed(1)} MB after GC ` +
    `(${((results.memory.heapMb * 2 ** 20) / cacheEntries).toFixed(0)} bytes a record), RSS +${results.memory.rssMb.toFixed(1)} MB`,
  '',
];
process.stdout.write(lines.join('\n'));
