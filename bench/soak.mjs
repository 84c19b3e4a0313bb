#!/usr/bin/env node
// npm run bench:soak: resident memory of `node dist/main.js` under minutes of mixed load on 127.0.0.1, for the
// default settings and for a baseline with sharp's own defaults, one after the other in the same run. Not a
// test: it prints numbers (RSS over time, its slope after warm-up, peak, throughput) and the ratios between
// subjects.
//   SOAK_SECONDS=180 SOAK_CLIENTS=4 npm run bench:soak
//   SOAK_STORAGE=s3 (with S3_TEST_* set, as for the tests) runs the same against S3.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Math.max(30, Number(process.env.SOAK_SECONDS ?? 180));
const clients = Math.max(1, Number(process.env.SOAK_CLIENTS ?? 4));
const warmUpSeconds = Math.min(60, Math.round(seconds / 4));
const sampleEveryMs = 5000;
const storage = process.env.SOAK_STORAGE === 's3' ? 's3' : 'disk';

const subjects = [
  {
    key: 'baseline',
    label: "baseline: sharp's defaults (50 MB cache, a thread per core)",
    env: { SHARP_CACHE_MB: '50', SHARP_THREADS_PER_IMAGE: '0' },
  },
  { key: 'defaults', label: 'defaults (cache off, 1 thread per image)', env: {} },
  { key: 'arena2', label: 'defaults + MALLOC_ARENA_MAX=2 (as in the Dockerfile)', env: { MALLOC_ARENA_MAX: '2' } },
];

const main = join(root, 'dist', 'main.js');
if (!existsSync(main)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

const fixtures = await makeFixtures();
const results = [];
for (const subject of subjects) results.push(await soak(subject));
report(results);

async function makeFixtures() {
  // Noise compresses badly, so every upload costs a real decode and re-encode.
  const noise = (width, height) =>
    sharp(Buffer.from(Array.from({ length: width * height * 3 }, () => Math.floor(Math.random() * 256))), {
      raw: { width, height, channels: 3 },
    });
  return [
    { name: 'large.jpg', bytes: await noise(1600, 1200).jpeg({ quality: 85 }).toBuffer() },
    { name: 'medium.png', bytes: await noise(800, 600).png().toBuffer() },
    { name: 'photo.webp', bytes: await noise(1024, 768).webp().toBuffer() },
    { name: 'small.gif', bytes: await noise(320, 240).gif().toBuffer() },
  ];
}

async function soak(subject) {
  const port = await freePort();
  const storageDir = mkdtempSync(join(tmpdir(), 'imagestore-soak-'));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    STORAGE_DIR: storageDir,
    ...(storage === 's3' ? s3Env() : {}),
    ...subject.env,
  };
  const server = spawn(process.execPath, [main], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(base, server, () => stderr);
  process.stderr.write(`soak: ${subject.label}: ${seconds} s, ${clients} clients, ${storage}\n`);

  const started = Date.now();
  const deadline = started + seconds * 1000;
  const samples = [];
  const counts = { upload: 0, read: 0, list: 0, delete: 0, errors: 0 };
  const uploadMs = [];
  const ids = [];
  const sampler = setInterval(
    () => samples.push({ t: (Date.now() - started) / 1000, rssMb: rssMb(server.pid) }),
    sampleEveryMs,
  );
  samples.push({ t: 0, rssMb: rssMb(server.pid) });

  const client = async (n) => {
    let i = n;
    while (Date.now() < deadline) {
      i += 1;
      const roll = i % 20;
      try {
        if (roll < 12 || ids.length === 0) {
          const fixture = fixtures[i % fixtures.length];
          const form = new FormData();
          form.append('file', new Blob([fixture.bytes]), fixture.name);
          const t0 = performance.now();
          const response = await fetch(`${base}/images`, { method: 'POST', body: form });
          const body = await response.json();
          if (response.status !== 201) throw new Error(`upload ${response.status} ${body.code}`);
          uploadMs.push(performance.now() - t0);
          ids.push(body.id);
          counts.upload += 1;
        } else if (roll < 17) {
          const id = ids[Math.floor(Math.random() * ids.length)];
          const response = await fetch(`${base}/images/${id}/content`);
          await response.arrayBuffer();
          if (response.status !== 200 && response.status !== 404) throw new Error(`read ${response.status}`);
          counts.read += 1;
        } else if (roll < 19) {
          const response = await fetch(`${base}/images?limit=100`);
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`list ${response.status}`);
          counts.list += 1;
        } else {
          const id = ids.splice(Math.floor(Math.random() * ids.length), 1)[0];
          const response = await fetch(`${base}/images/${id}`, { method: 'DELETE' });
          await response.arrayBuffer();
          counts.delete += 1;
        }
      } catch (error) {
        counts.errors += 1;
        if (counts.errors <= 3) process.stderr.write(`soak: ${error.message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  clearInterval(sampler);
  samples.push({ t: (Date.now() - started) / 1000, rssMb: rssMb(server.pid) });
  server.kill('SIGTERM');
  await new Promise((resolveExit) => server.once('exit', resolveExit));
  rmSync(storageDir, { recursive: true, force: true });

  const afterWarmUp = samples.filter((sample) => sample.t >= warmUpSeconds);
  uploadMs.sort((a, b) => a - b);
  return {
    ...subject,
    samples,
    counts,
    peakMb: Math.max(...samples.map((sample) => sample.rssMb)),
    finalMb: samples[samples.length - 1].rssMb,
    slopeMbPerMin: slope(afterWarmUp) * 60,
    uploadsPerSecond: counts.upload / seconds,
    uploadP50Ms: uploadMs[Math.floor(uploadMs.length / 2)] ?? NaN,
  };
}

function report(results) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const out = [];
  out.push(
    `Soak: ${seconds} s per subject, ${clients} clients, ${storage} storage, RSS every ${sampleEveryMs / 1000} s; slope after ${warmUpSeconds} s of warm-up.`,
  );
  out.push('');
  out.push(
    line([
      'subject',
      'start MB',
      'peak MB',
      'end MB',
      'slope MB/min',
      'uploads/s',
      'upload p50 ms',
      'reads',
      'lists',
      'deletes',
      'errors',
    ]),
  );
  out.push(line(Array(11).fill('---')));
  for (const r of results) {
    out.push(
      line([
        r.label,
        r.samples[0].rssMb.toFixed(0),
        r.peakMb.toFixed(0),
        r.finalMb.toFixed(0),
        r.slopeMbPerMin.toFixed(2),
        r.uploadsPerSecond.toFixed(1),
        r.uploadP50Ms.toFixed(0),
        r.counts.read,
        r.counts.list,
        r.counts.delete,
        r.counts.errors,
      ]),
    );
  }
  const baseline = results.find((r) => r.key === 'baseline');
  out.push('');
  for (const r of results.filter((r) => r !== baseline)) {
    out.push(
      `${r.key} vs baseline: peak RSS ×${(r.peakMb / baseline.peakMb).toFixed(2)}, uploads/s ×${(r.uploadsPerSecond / baseline.uploadsPerSecond).toFixed(2)}`,
    );
  }
  out.push('');
  out.push('RSS over time (MB):');
  const times = results[0].samples.map((sample) => sample.t);
  out.push(line(['t (s)', ...results.map((r) => r.key)]));
  out.push(line(Array(results.length + 1).fill('---')));
  for (let i = 0; i < times.length; i += Math.max(1, Math.floor(times.length / 12))) {
    out.push(line([times[i].toFixed(0), ...results.map((r) => (r.samples[i]?.rssMb ?? NaN).toFixed(0))]));
  }
  process.stdout.write(`${out.join('\n')}\n`);
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'soak-latest.json'), JSON.stringify({ seconds, clients, storage, results }, null, 2));
}

/** Least-squares slope of RSS (MB) over time (s). */
function slope(samples) {
  if (samples.length < 2) return NaN;
  const n = samples.length;
  const meanT = samples.reduce((sum, s) => sum + s.t, 0) / n;
  const meanR = samples.reduce((sum, s) => sum + s.rssMb, 0) / n;
  const num = samples.reduce((sum, s) => sum + (s.t - meanT) * (s.rssMb - meanR), 0);
  const den = samples.reduce((sum, s) => sum + (s.t - meanT) ** 2, 0);
  return num / den;
}

function rssMb(pid) {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

function s3Env() {
  const need = (name) => {
    if (!process.env[name]) throw new Error(`SOAK_STORAGE=s3 needs ${name} (as for the S3 tests)`);
    return process.env[name];
  };
  return {
    STORAGE_DRIVER: 's3',
    S3_ENDPOINT: need('S3_TEST_ENDPOINT'),
    S3_BUCKET: need('S3_TEST_BUCKET'),
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: process.env.S3_TEST_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: need('S3_TEST_ACCESS_KEY_ID'),
    AWS_SECRET_ACCESS_KEY: need('S3_TEST_SECRET_ACCESS_KEY'),
  };
}

async function waitUntilUp(base, server, stderr) {
  for (let i = 0; i < 100; i++) {
    if (server.exitCode !== null) throw new Error(`server exited: ${stderr()}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill('SIGKILL');
  throw new Error(`server did not come up: ${stderr()}`);
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}
