#!/usr/bin/env node
// Builds the web gallery (web/) into web/dist with Vite, after type-checking it; prints the first-load size.
//
//   npm run build:web              # always builds
//   node scripts/build-web.mjs --if-stale   # only when web/dist is missing or older than web/ or the lockfile
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(root, 'web');
export const WEB_DIST_DIR = join(webDir, 'dist');

function newestMtime(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(
    0,
    ...readdirSync(path)
      .filter((entry) => entry !== 'dist' && entry !== 'node_modules')
      .map((entry) => newestMtime(join(path, entry))),
  );
}

export function isWebBuildStale() {
  const index = join(WEB_DIST_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const inputs = [webDir, join(root, 'package-lock.json'), fileURLToPath(import.meta.url)];
  return Math.max(...inputs.filter(existsSync).map(newestMtime)) > statSync(index).mtimeMs;
}

export async function buildWeb() {
  const tsc = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(webDir, 'tsconfig.json')],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) throw new Error('web/: type errors (tsc -p web/tsconfig.json)');
  const { build } = await import('vite');
  await build({ configFile: join(webDir, 'vite.config.mts'), logLevel: 'warn' });
  return WEB_DIST_DIR;
}

/** Builds only when stale; returns web/dist. Fast (a stat walk) when nothing changed. */
export async function ensureWebBuilt() {
  if (isWebBuildStale()) {
    process.stderr.write('web/dist is missing or stale: building the gallery (npm run build:web)\n');
    await buildWeb();
  }
  return WEB_DIST_DIR;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    if (process.argv.includes('--if-stale')) await ensureWebBuilt();
    else await buildWeb();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
