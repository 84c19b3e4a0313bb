#!/usr/bin/env node
// npm run bench:reads (second part): warm `GET /images/{id}/content` of a ~20 KB PNG through the built Lambda
// handler (dist-lambda/, disk storage, LOG_LEVEL=info as deployed) against a bare handler that reads the same
// stored file and answers it base64-encoded (bench/bare-content-handler.cjs). Each sample is a fresh process
// (bench/reads-lambda-sample.cjs): 200 warm-up invocations, then INVOCATIONS (default 2000) timed ones; RUNS
// (default 5) samples per subject, interleaved, medians.
//   RUNS=7 INVOCATIONS=3000 npm run bench:reads
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLambdaBuilt, loadEventBuilders } from '../scripts/build-lambda.mjs';
import * as kit from './bench-kit.mjs';

const runs = Math.max(3, Number(process.env.RUNS ?? 5));
const invocations = Math.max(500, Number(process.env.INVOCATIONS ?? 2000));
const GOAL_P50_RATIO = 1.5;
const log = (message) => process.stderr.write(`[bench:reads lambda] ${message}\n`);

kit.ensureBuilt(log);
const handlerFile = await ensureLambdaBuilt();
const storageDir = mkdtempSync(join(tmpdir(), 'imagestore-bench-reads-lambda-'));
const scratch = mkdtempSync(join(tmpdir(), 'imagestore-bench-reads-lambda-results-'));

try {
  const api = await kit.startApi(storageDir, { IMAGE_VARIANTS_EAGER: 'none' });
  const image = await kit
    .upload(api.base, await kit.photoLike(96, 72, 7, (picture) => picture.png()), 'small.png')
    .finally(() => api.stop());
  const { restApiEvent } = await loadEventBuilders();
  const eventFile = join(scratch, 'event.json');
  const path = `/bench/images/${image.id}/content`;
  writeFileSync(
    eventFile,
    JSON.stringify(restApiEvent({ method: 'GET', path, headers: { host: 'bench.local' } }, 'bench')),
  );

  const environment = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    STORAGE_DRIVER: 'disk',
    STORAGE_DIR: storageDir,
    CURSOR_SECRET: 'bench-cursor-secret-bench-cursor-secret',
    AWS_REGION: 'us-east-1',
    CONTENT_FILE: join(storageDir, image.id, 'content'),
    CONTENT_TYPE: image.contentType,
    CONTENT_ETAG: image.sha256,
  };
  const subjects = {
    handler: handlerFile,
    bare: join(kit.root, 'bench', 'bare-content-handler.cjs'),
  };
  const samples = { handler: [], bare: [] };
  const loadBefore = kit.loadAverage();
  for (let run = 0; run < runs; run++) {
    for (const [key, file] of Object.entries(subjects)) {
      const resultFile = join(scratch, `${key}-${run}.json`);
      execFileSync(
        process.execPath,
        [
          '--expose-gc',
          join(kit.root, 'bench', 'reads-lambda-sample.cjs'),
          file,
          String(invocations),
          resultFile,
          eventFile,
          String(image.size),
        ],
        { env: environment, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      samples[key].push(JSON.parse(readFileSync(resultFile, 'utf8')));
    }
    log(`run ${run + 1}/${runs} done`);
  }
  const summary = (key) =>
    Object.fromEntries(
      ['p50Ms', 'p99Ms', 'rssMb', 'heapMb'].map((m) => [m, kit.median(samples[key].map((s) => s[m]))]),
    );
  const [h, b] = [summary('handler'), summary('bare')];
  console.log(
    `\nLambda, warm GET /images/{id}/content (${image.contentType}, ${image.size} B): node ${process.version}, ` +
      `${runs} fresh processes per subject, ${invocations} invocations each (medians), load average ${loadBefore} → ${kit.loadAverage()}\n`,
  );
  console.log(`| ${''.padEnd(35)} | p50 ms | p99 ms | RSS MB | heap after GC MB |`);
  console.log(`| ${'-'.repeat(35)} | -----: | -----: | -----: | ---------------: |`);
  for (const [label, s] of [
    ['handler (dist-lambda, disk storage)', h],
    ['bare handler reading the same file', b],
  ]) {
    console.log(
      `| ${label.padEnd(35)} | ${kit.fmt(s.p50Ms, 3)} | ${kit.fmt(s.p99Ms, 3)} | ${kit.fmt(s.rssMb)} | ${kit.fmt(s.heapMb)} |`,
    );
  }
  const ratio = h.p50Ms / b.p50Ms;
  console.log(
    `\n${ratio <= GOAL_P50_RATIO ? 'PASS' : 'MISS'}  p50 handler / bare: ${kit.fmt(ratio, 2)}× (goal ≤ ${GOAL_P50_RATIO}×); ` +
      `p99 ${kit.fmt(h.p99Ms / b.p99Ms, 2)}×; p50 handler − bare ${kit.fmt(h.p50Ms - b.p50Ms, 3)} ms`,
  );
} finally {
  rmSync(storageDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}
