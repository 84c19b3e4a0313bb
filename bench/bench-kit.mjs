// What the HTTP benches share: building dist/, starting the built API and bare servers in processes of their own,
// wrk, medians, and test pictures made deterministically with sharp.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Preloaded into servers the bench starts: answers heap questions over the IPC channel (bench only). */
const HEAP_PROBE = join(root, 'bench', 'heap-probe.cjs');

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
/** The 1, 5 and 15 minute load averages, for the header of a result. */
export const loadAverage = () =>
  loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
export const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/**
 * A deterministic picture as a sharp pipeline: smooth colour fields plus sensor-like noise (xorshift32) of `noise`
 * levels (32 looks like a camera). `step` > 1 posterizes to bands of that many levels and drops the noise: flat
 * areas, as in a rendered graphic or screenshot, which is what large PNGs mostly are.
 */
export function photoLikePixels(width, height, seed, { noise = 32, step = 1 } = {}) {
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed >>> 0 || 1;
  const phase = seed % 97;
  const clamp = (value) => {
    const level = Math.max(0, Math.min(255, Math.round(value)));
    return step > 1 ? level - (level % step) : level;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const grain = step > 1 ? 0 : ((state >>> 0) % noise) - noise / 2;
      const i = (y * width + x) * 3;
      pixels[i] = clamp(128 + 90 * Math.sin(x / 170 + y / 260 + phase) + grain);
      pixels[i + 1] = clamp(120 + 80 * Math.sin(y / 90 + phase) * Math.cos(x / 310) + grain);
      pixels[i + 2] = clamp(100 + 60 * Math.cos((x + y) / 140 + phase) + grain);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } });
}

/** A photo-like JPEG (quality 85), or another encoding: 4000×3000 is about 3.1 MB. */
export const photoLike = (width, height, seed, encode = (image) => image.jpeg({ quality: 85 })) =>
  encode(photoLikePixels(width, height, seed)).toBuffer();

/** Runs `tasks` (functions) `concurrency` at a time; returns the elapsed seconds. */
export async function timed(tasks, concurrency) {
  const queue = [...tasks];
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (queue.length) await queue.shift()();
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** `base + offset` when the caller was given a port range (BENCH_PORT_BASE), else any free port. */
export function portFor(offset) {
  const base = Number(process.env.BENCH_PORT_BASE ?? 0);
  if (base > 0) return Promise.resolve(base + offset);
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

export function ensureBuilt(log) {
  const newest = (dir) =>
    readdirSync(dir, { recursive: true })
      .map((file) => join(dir, String(file)))
      .filter((file) => file.endsWith('.ts') && !file.includes('.spec.'))
      .reduce((latest, file) => Math.max(latest, statSync(file).mtimeMs), 0);
  const built = join(root, 'dist', 'main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(root, 'api'))) return;
  log('building dist/ (npm run build)');
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * `node [nodeArgs] dist/main.js` on disk storage in `storageDir`; `env` adds to or overrides the settings, `stdout`
 * is passed to spawn (the server logs there, and so does `--trace-gc`).
 */
export async function startApi(storageDir, env = {}, portOffset = 0, { nodeArgs = [], stdout = 'ignore' } = {}) {
  const port = await portFor(portOffset);
  // BENCH_API_MAIN: another build's main.js (e.g. a copy of dist/ from before a change), measured the same way.
  const main = process.env.BENCH_API_MAIN ?? join(root, 'dist', 'main.js');
  const child = spawn(process.execPath, [...nodeArgs, '--expose-gc', '-r', HEAP_PROBE, main], {
    cwd: root,
    stdio: ['ignore', stdout, 'inherit', 'ipc'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      STORAGE_DIR: storageDir,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      NODE_ENV: 'production',
      ...env,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200 && child.exitCode === null; attempt++) {
    const up = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { base, port, child, stop: () => stop(child) };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop(child);
  throw new Error(child.exitCode === null ? 'the API did not start within 20 s' : 'the API exited at start-up');
}

/** bench/bare-server.cjs with `routes` (see there): node:http and nothing else. */
export async function startBareServer(routes, portOffset) {
  const port = await portFor(portOffset);
  const child = spawn(process.execPath, ['--expose-gc', '-r', HEAP_PROBE, join(root, 'bench', 'bare-server.cjs')], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { PATH: process.env.PATH, PORT: String(port), BARE_ROUTES: JSON.stringify(routes) },
  });
  await new Promise((ready, fail) => {
    child.stdout.once('data', ready);
    child.once('exit', () => fail(new Error('the bare server exited')));
  });
  return { base: `http://127.0.0.1:${port}`, child, stop: () => stop(child) };
}

export function stop(child) {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null) return resolveStop();
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
  });
}

/** user + system CPU seconds the process has used so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command name, which may itself hold ") ".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** The live JS heap after a full GC, asked of a server started by this kit. */
export function heapMb(child) {
  return new Promise((resolveHeap) => {
    child.once('message', (message) => resolveHeap(message.heapUsed / 2 ** 20));
    child.send('heap');
  });
}

export async function upload(base, bytes, name) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const response = await fetch(`${base}/images`, { method: 'POST', body: form });
  if (response.status !== 201) throw new Error(`upload answered ${response.status}: ${await response.text()}`);
  return response.json();
}

export async function bytesOf(url, headers = {}) {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** wrk, 2 threads and 16 connections on loopback, for `seconds`: req/s, latency percentiles, request count. */
export function wrk(url, seconds, headers = {}) {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const out = execFileSync('wrk', ['-t2', '-c16', `-d${seconds}s`, '--latency', ...headerArgs, url], {
    encoding: 'utf8',
    timeout: (seconds + 20) * 1000,
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const latency = (pct) => {
    const match = new RegExp(`\\s${pct}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return match ? toMs(match[1], match[2]) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (!Number.isFinite(rps) || non2xx > 0) throw new Error(`wrk against ${url} failed:\n${out}`);
  return { rps, p50: latency(50), p99: latency(99), requests };
}
