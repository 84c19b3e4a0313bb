#!/usr/bin/env node
// npm run bench: the built Lambda handler against a bare @aws-sdk/client-s3 handler, side by side in one run.
// Every sample is a fresh `node` process; figures are medians over RUNS samples (default 7).
//   RUNS=9 INVOCATIONS=1000 npm run bench
//   COMPARE_HANDLER=/tmp/before/dist-lambda/lambda.js npm run bench   # also another build, in the same run
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DEFAULT_OUT_DIR,
  ensureLambdaBuilt,
  loadEventBuilders,
  WARM_SCRIPT_FILE,
  warmCodeCache,
} from '../scripts/build-lambda.mjs';
import { loadAverage, median, root } from './bench-kit.mjs';

const runs = Math.max(5, Number(process.env.RUNS ?? 7));
const invocations = Math.max(1000, Number(process.env.INVOCATIONS ?? 1000));
// The goals of issue 17, against the baseline in the same run. MB here and in the artifact check are MiB (2^20 bytes).
const TARGETS = { coldStartRatio: 1.3, warmP50ExtraMs: 0.5, rssRatio: 1.3, artifactMb: 20, heapGrowthMb: 2 };

const handlerFile = await ensureLambdaBuilt();
// The V8 code cache shipped beside the bundle is only valid for the node that produced it (the image makes its
// own, see Dockerfile); make sure the one in dist-lambda/ was produced by this node, with sample.cjs's flags.
const codeCacheState = () =>
  execFileSync(process.execPath, ['--expose-gc', join(DEFAULT_OUT_DIR, WARM_SCRIPT_FILE), '--check'], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'silent',
      STORAGE_DIR: mkdtempSync(join(tmpdir(), 'imagestore-bench-check-')),
    },
  });
if (codeCacheState() !== 'false') {
  process.stderr.write('dist-lambda/app.js.cache is missing or was made by another node: regenerating it\n');
  warmCodeCache();
}
const storageDir = mkdtempSync(join(tmpdir(), 'imagestore-bench-'));
const scratch = mkdtempSync(join(tmpdir(), 'imagestore-bench-results-'));
// Every invocation is `GET /bench/images` as API Gateway REST sends it, built by the tests' event builder.
const { restApiEvent } = await loadEventBuilders();
const eventFile = join(scratch, 'event.json');
writeFileSync(
  eventFile,
  JSON.stringify(
    restApiEvent(
      {
        method: 'GET',
        path: '/bench/images',
        headers: { host: 'bench.execute-api.local', accept: 'application/json' },
      },
      'bench',
    ),
  ),
);

const subjects = [
  { key: 'handler', label: 'handler (bundled, disk storage)', file: handlerFile, env: {} },
  { key: 'baseline', label: 'baseline (@aws-sdk/client-s3)', file: join(root, 'bench/baseline-handler.cjs'), env: {} },
  {
    // The code cache is specific to the exact node build: this row is what any other node would get.
    key: 'handlerNoCodeCache',
    label: 'handler without code cache (NODE_DISABLE_COMPILE_CACHE=1)',
    file: handlerFile,
    env: { NODE_DISABLE_COMPILE_CACHE: '1' },
  },
  {
    key: 'handlerLambdaEnv',
    label: 'handler, Powertools on (Lambda env, X-Ray off)',
    file: handlerFile,
    env: {
      AWS_LAMBDA_FUNCTION_NAME: 'imagestore-bench',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      POWERTOOLS_TRACE_ENABLED: 'false',
    },
  },
];
// Another build of the handler in the same run, e.g. the previous commit's: COMPARE_HANDLER=/tmp/before/lambda.js
if (process.env.COMPARE_HANDLER) {
  subjects.push({
    key: 'compare',
    label: `compare: ${process.env.COMPARE_HANDLER}`,
    file: resolve(process.env.COMPARE_HANDLER),
    env: {},
  });
}

function sample(subject, run) {
  const resultFile = join(scratch, `${subject.key}-${run}.json`);
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info', // as deployed: one JSON line per request (to /dev/null here)
    LOG_FORMAT: 'json',
    STORAGE_DRIVER: 'disk',
    STORAGE_DIR: storageDir,
    CURSOR_SECRET: 'bench-cursor-secret-bench-cursor-secret',
    AWS_REGION: 'us-east-1',
    ...subject.env,
  };
  execFileSync(
    process.execPath,
    ['--expose-gc', join(root, 'bench/sample.cjs'), subject.file, String(invocations), resultFile, eventFile],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return JSON.parse(readFileSync(resultFile, 'utf8'));
}

// Interleaved, so drift on the machine hits every subject alike.
const loadBefore = loadAverage();
const samples = Object.fromEntries(subjects.map((subject) => [subject.key, []]));
for (let run = 0; run < runs; run++) {
  for (const subject of subjects) samples[subject.key].push(sample(subject, run));
  process.stderr.write(`run ${run + 1}/${runs} done\n`);
}
const loadAfter = loadAverage();
rmSync(storageDir, { recursive: true, force: true });
rmSync(scratch, { recursive: true, force: true });

const summary = Object.fromEntries(
  subjects.map(({ key }) => [
    key,
    Object.fromEntries(
      ['coldStartMs', 'coldCpuMs', 'p50Ms', 'p99Ms', 'rssFirstMb', 'rssAfterMb', 'heapFirstMb', 'heapAfterMb'].map(
        (metric) => [metric, median(samples[key].map((s) => s[metric]))],
      ),
    ),
  ]),
);
const artifactMb = Number(execFileSync('du', ['-sb', DEFAULT_OUT_DIR], { encoding: 'utf8' }).split('\t')[0]) / 2 ** 20;

const fmt = (value, digits = 1) => value.toFixed(digits);
const rows = subjects.map(({ key, label }) => {
  const s = summary[key];
  return [
    label,
    fmt(s.coldStartMs, 0),
    fmt(s.coldCpuMs, 0),
    fmt(s.p50Ms, 3),
    fmt(s.p99Ms, 3),
    fmt(s.rssFirstMb),
    fmt(s.rssAfterMb),
    `${fmt(s.heapFirstMb)} → ${fmt(s.heapAfterMb)}`,
  ];
});
const header = [
  '',
  'cold start ms',
  'cold CPU ms',
  'warm p50 ms',
  'warm p99 ms',
  'RSS 1st MB',
  `RSS after ${invocations} MB`,
  'live heap after GC MB',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) =>
  `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
console.log(
  `\nnode ${process.version}, ${runs} fresh processes per subject, ${invocations} warm invocations each (medians); ` +
    `load average (1, 5, 15 min) ${loadBefore} before, ${loadAfter} after\n`,
);
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(`\nartifact on disk (dist-lambda/): ${fmt(artifactMb)} MB`);

const h = summary.handler;
const b = summary.baseline;
const n = summary.handlerNoCodeCache;
const c = summary.compare;
// [what, measured, goal, unit]: every figure is "at most the goal".
const checks = [
  ['cold start, handler / baseline', h.coldStartMs / b.coldStartMs, TARGETS.coldStartRatio, '×'],
  ['warm p50, handler − baseline', h.p50Ms - b.p50Ms, TARGETS.warmP50ExtraMs, ' ms'],
  ['RSS after the first response, handler / baseline', h.rssFirstMb / b.rssFirstMb, TARGETS.rssRatio, '×'],
  ['live heap growth over the warm invocations (after GC)', h.heapAfterMb - h.heapFirstMb, TARGETS.heapGrowthMb, ' MB'],
  ['artifact (du -sb dist-lambda/)', artifactMb, TARGETS.artifactMb, ' MB'],
];
console.log('');
for (const [name, value, goal, unit] of checks) {
  const verdict = value <= goal ? 'PASS' : 'MISS';
  console.log(
    `${verdict}  ${name}: ${fmt(value, 2)}${unit}, goal ≤ ${goal}${unit} (${fmt(value / goal, 2)} of the goal)`,
  );
}
console.log(
  `info  cold start CPU time (user + system), handler / baseline: ${fmt(h.coldCpuMs / b.coldCpuMs, 2)}× ` +
    `(less sensitive to other load than wall time)`,
);
console.log(
  `info  without the code cache: cold start ${fmt(n.coldStartMs / b.coldStartMs, 2)}×, ` +
    `RSS after the first response ${fmt(n.rssFirstMb / b.rssFirstMb, 2)}× the baseline`,
);
if (c) {
  console.log(
    `info  compare build: cold start ${fmt(c.coldStartMs / b.coldStartMs, 2)}×, cold CPU ${fmt(c.coldCpuMs / b.coldCpuMs, 2)}×, ` +
      `RSS after the first response ${fmt(c.rssFirstMb / b.rssFirstMb, 2)}×, warm p50 − baseline ${fmt(c.p50Ms - b.p50Ms, 2)} ms`,
  );
}

mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(
  join(root, 'bench/results/latest.json'),
  `${JSON.stringify({ node: process.version, runs, invocations, loadBefore, loadAfter, artifactMb, summary, samples }, null, 2)}\n`,
);
