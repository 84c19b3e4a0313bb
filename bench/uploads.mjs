#!/usr/bin/env node
// npm run bench:uploads: uploads through the API against a bare Node script doing the same sharp work on the same
// bytes (bench/uploads-bare.mjs), both at concurrency 2, interleaved in one run. For each kind of image it prints
// images/s (medians of ROUNDS rounds, default 5, of IMAGES uploads each, default 8), the ratio API / bare (the
// median of the per-round ratios), full GCs (V8 Mark-Compact, from --trace-gc) per 100 uploads, the CPU time per
// image of each process, then RSS and the heap after the last GC after each phase. Loopback, disk storage.
//   ROUNDS=7 IMAGES=10 npm run bench:uploads
//   SERVER_FLAGS='none|--max-semi-space-size=16' npm run bench:uploads      (more API subjects; none: no flags)
//   KINDS=jpeg12,png1 npm run bench:uploads                                 (some kinds only)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVER_NODE_FLAGS } from '../scripts/server-flags.mjs';
import {
  cpuSeconds,
  ensureBuilt,
  fmt,
  median,
  photoLike,
  photoLikePixels,
  root,
  rssMb,
  startApi,
  stop,
  timed,
} from './bench-kit.mjs';

const rounds = Math.max(3, Number(process.env.ROUNDS ?? 5));
const perRound = Math.max(4, Number(process.env.IMAGES ?? 8));
const CONCURRENCY = 2;
const GOAL = 0.9;
const log = (message) => process.stderr.write(`[bench:uploads] ${message}\n`);

const KINDS = [
  { key: 'jpeg12', label: 'JPEG 12 MP photo', make: () => photoLike(4000, 3000, 0x9e3779b9) },
  { key: 'jpeg1', label: 'JPEG 1 MP photo', make: () => photoLike(1152, 864, 17) },
  {
    key: 'png12',
    label: 'PNG 12 MP graphic',
    make: () => photoLikePixels(4000, 3000, 23, { step: 8 }).png().toBuffer(),
  },
  { key: 'png1', label: 'PNG 1 MP photo', make: () => photoLikePixels(1152, 864, 29).png().toBuffer() },
  { key: 'webp1', label: 'WebP 1 MP photo (reference)', make: () => photoLikePixels(1152, 864, 31).webp().toBuffer() },
].filter((kind) => !process.env.KINDS || process.env.KINDS.split(',').includes(kind.key));

/** V8's --trace-gc lines of one process, counted; the process's other output lines go to `onLine`. */
class GcTrace {
  static LINE =
    /(Scavenge|Mark-Compact(?: \(reduce\))?|Minor Mark-Sweep) [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB,(?: pooled: [\d.]+ MB,)? ([\d.]+) \/ [\d.]+ ms/;
  fullGcs = 0;
  fullGcMs = 0;
  minorGcs = 0;
  minorGcMs = 0;
  heapAfterMb = NaN;

  constructor(stream, onLine = () => undefined) {
    createInterface({ input: stream }).on('line', (line) => {
      const match = GcTrace.LINE.exec(line);
      if (!match) return onLine(line);
      const [, kind, after, pause] = match;
      this.heapAfterMb = Number(after);
      if (kind.startsWith('Mark-Compact')) {
        this.fullGcs++;
        this.fullGcMs += Number(pause);
      } else {
        this.minorGcs++;
        this.minorGcMs += Number(pause);
      }
    });
  }

  snapshot() {
    return { fullGcs: this.fullGcs, fullGcMs: this.fullGcMs, minorGcs: this.minorGcs, minorGcMs: this.minorGcMs };
  }
}

/** CPU seconds (user + system) and RSS of a process, from /proc. */
const processStats = (pid) => ({ cpuSeconds: cpuSeconds(pid), rssMb: rssMb(pid) });

const BOUNDARY = 'imagestore-bench-uploads';
function multipartBody(bytes, fileName) {
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
}

/** One POST /images with a prebuilt body, so the client costs the server's CPU as little as it can. */
function post(agent, port, body) {
  return new Promise((resolvePost, fail) => {
    const request = http.request(
      {
        agent,
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/images',
        headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': body.length },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 201) return fail(new Error(`upload answered ${response.statusCode}: ${text}`));
          resolvePost(JSON.parse(text).id);
        });
      },
    );
    request.on('error', fail);
    request.end(body);
  });
}

async function startApiSubject(name, flags, storageDir) {
  const api = await startApi(storageDir, { MAX_CONCURRENT_PROCESSING: String(CONCURRENCY) }, 0, {
    nodeArgs: ['--trace-gc', ...flags],
    stdout: 'pipe',
  });
  const gc = new GcTrace(api.child.stdout);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  return {
    name,
    pid: api.child.pid,
    gc,
    async run(kind, count) {
      const ids = [];
      const seconds = await timed(
        Array.from({ length: count }, () => async () => ids.push(await post(agent, api.port, kind.body))),
        CONCURRENCY,
      );
      // Not timed: keeps the store small.
      for (const id of ids) await fetch(`${api.base}/images/${id}`, { method: 'DELETE' });
      return seconds;
    },
    stop: async () => {
      agent.destroy();
      await api.stop();
    },
  };
}

function startBareSubject() {
  const child = spawn(process.execPath, ['--trace-gc', join(root, 'bench', 'uploads-bare.mjs')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let answer;
  const gc = new GcTrace(child.stdout, (line) => {
    if (line.startsWith('RESULT ')) answer?.(JSON.parse(line.slice('RESULT '.length)));
  });
  return {
    name: 'bare sharp script',
    pid: child.pid,
    gc,
    run(kind, count) {
      return new Promise((resolveRun) => {
        answer = ({ seconds }) => resolveRun(seconds);
        child.stdin.write(`${JSON.stringify({ file: kind.file, count, concurrency: CONCURRENCY })}\n`);
      });
    },
    stop: () => {
      child.stdin.end();
      return stop(child);
    },
  };
}

/** One timed phase of `count` images on one subject, with what its process spent meanwhile. */
async function phase(subject, kind, count) {
  const before = { ...processStats(subject.pid), ...subject.gc.snapshot() };
  const seconds = await subject.run(kind, count);
  const after = { ...processStats(subject.pid), ...subject.gc.snapshot() };
  return {
    rate: count / seconds,
    count,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    fullGcs: after.fullGcs - before.fullGcs,
    fullGcMs: after.fullGcMs - before.fullGcMs,
    minorGcs: after.minorGcs - before.minorGcs,
    rssMb: after.rssMb,
    heapAfterMb: subject.gc.heapAfterMb,
  };
}

function summarize(samples, baseline) {
  const total = (key) => samples.reduce((sum, s) => sum + s[key], 0);
  const uploads = total('count');
  const last = samples[samples.length - 1];
  return {
    rate: median(samples.map((s) => s.rate)),
    ratio: baseline && median(samples.map((s, i) => s.rate / baseline[i].rate)),
    fullGcsPer100: (100 * total('fullGcs')) / uploads,
    fullGcMsPer100: (100 * total('fullGcMs')) / uploads,
    minorGcsPer100: (100 * total('minorGcs')) / uploads,
    cpuMsPerImage: (1000 * total('cpuSeconds')) / uploads,
    rssMb: last.rssMb,
    heapAfterMb: last.heapAfterMb,
  };
}

async function main() {
  ensureBuilt(log);
  const workDir = mkdtempSync(join(tmpdir(), 'imagestore-bench-uploads-'));
  const extraFlags = (process.env.SERVER_FLAGS ?? '')
    .split('|')
    .map((set) => set.trim())
    .filter(Boolean);
  const subjects = [];
  try {
    log('making the test images');
    for (const kind of KINDS) {
      const bytes = await kind.make();
      kind.file = join(workDir, `${kind.key}.bin`);
      writeFileSync(kind.file, bytes);
      kind.body = multipartBody(bytes, `${kind.key}.bin`);
      kind.size = bytes.length;
    }
    const serverSets = [
      [`API (npm start: ${SERVER_NODE_FLAGS.join(' ') || 'no flags'})`, SERVER_NODE_FLAGS],
      ...extraFlags.map((set) => [`API (${set})`, set === 'none' ? [] : set.split(/\s+/)]),
    ];
    for (const [index, [name, flags]] of serverSets.entries()) {
      subjects.push(await startApiSubject(name, flags, join(workDir, `store-${index}`)));
    }
    const bare = startBareSubject();
    subjects.push(bare);
    log(`warming up; then ${rounds} rounds × ${KINDS.length} kinds × ${subjects.length} subjects × ${perRound} images`);
    for (const subject of subjects) for (const kind of KINDS) await subject.run(kind, 2);

    const load = [loadavg()[0]];
    const samples = new Map(subjects.map((s) => [s, new Map(KINDS.map((k) => [k.key, []]))]));
    for (let round = 0; round < rounds; round++) {
      for (const kind of KINDS) {
        // Alternate the order, so a drift in the machine's load does not favour one subject.
        const order = round % 2 ? [...subjects].reverse() : subjects;
        for (const subject of order)
          samples
            .get(subject)
            .get(kind.key)
            .push(await phase(subject, kind, perRound));
      }
      load.push(loadavg()[0]);
      log(`round ${round + 1}/${rounds} done (load average ${loadavg()[0].toFixed(2)})`);
    }
    report(subjects, bare, samples, load);
  } finally {
    for (const subject of subjects) await subject.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function report(subjects, bare, samples, load) {
  console.log(
    `node ${process.version}, ${rounds} rounds × ${perRound} uploads per kind and subject, concurrency ${CONCURRENCY}, ` +
      `medians; load average (1 min) ${fmt(Math.min(...load), 2)}–${fmt(Math.max(...load), 2)}`,
  );
  const header = [
    'kind',
    'subject',
    'img/s',
    `ratio (≥${GOAL})`,
    'full GC/100',
    'full GC ms/100',
    'scav/100',
    'CPU ms/img',
    'RSS MB',
    'heap MB',
  ];
  const rows = [header];
  for (const kind of KINDS) {
    const baseline = samples.get(bare).get(kind.key);
    for (const subject of subjects) {
      const s = summarize(samples.get(subject).get(kind.key), subject === bare ? undefined : baseline);
      const verdict = s.ratio === undefined ? '' : kind.key === 'webp1' ? '' : s.ratio >= GOAL ? ' ✓' : ' ✗';
      rows.push([
        subject === subjects[0] ? `${kind.label} (${(kind.size / 1e6).toFixed(2)} MB)` : '',
        subject.name,
        fmt(s.rate, 2),
        s.ratio === undefined ? '' : `${fmt(s.ratio, 2)}${verdict}`,
        fmt(s.fullGcsPer100, 1),
        fmt(s.fullGcMsPer100, 0),
        fmt(s.minorGcsPer100, 0),
        fmt(s.cpuMsPerImage, 0),
        fmt(s.rssMb, 0),
        fmt(s.heapAfterMb, 1),
      ]);
    }
  }
  const widths = header.map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  for (const row of rows) {
    console.log(
      row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  '),
    );
  }
  console.log('RSS and heap (V8 heap used after the last GC) are as the phase of that kind ended.');
}

await main();
