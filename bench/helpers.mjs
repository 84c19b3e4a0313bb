// What the API benchmarks share: deterministic test images, starting and stopping the built server, medians.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

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

  function clamp(value) {
    const level = Math.max(0, Math.min(255, Math.round(value)));
    return step > 1 ? level - (level % step) : level;
  }
}

/** A photo-like JPEG (quality 85): 4000×3000 is about 3.1 MB. */
export const photoLike = (width, height, seed) => photoLikePixels(width, height, seed).jpeg({ quality: 85 }).toBuffer();

export function freePort() {
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Builds dist/ when an API source is newer than dist/main.js. */
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
 * `node [nodeArgs] dist/main.js` on a free loopback port with disk storage in `storageDir`, as `npm start` runs
 * it; resolves once /health answers. `stdout` is passed to spawn (the server logs there).
 */
export async function startApi({ storageDir, env = {}, nodeArgs = [], stdout = 'ignore' }) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist', 'main.js')], {
    cwd: root,
    stdio: ['ignore', stdout, 'inherit'],
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
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { base, port, child, stop: () => stopChild(child) };
    await new Promise((r) => setTimeout(r, 100));
  }
  stopChild(child);
  throw new Error(child.exitCode === null ? 'the API did not start within 20 s' : 'the API exited at start-up');
}

export function stopChild(child) {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null) return resolveStop();
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
  });
}

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
