// What an entry script needs before it runs, done when it is missing so the README's commands work on a fresh
// clone: dependencies as the lockfile says, and a build of dist/ no older than the sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const say = (line) => process.stderr.write(`imagestore: ${line}\n`);

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd} (${result.error?.message ?? result.status ?? result.signal})`,
    );
  }
}

/** npm ci in each directory (relative to the repository) whose node_modules is missing or older than its lockfile. */
export function ensureDependencies(dirs = ['.']) {
  for (const dir of dirs.map((relative) => join(root, relative))) {
    const installed = join(dir, 'node_modules', '.package-lock.json');
    const lock = join(dir, 'package-lock.json');
    if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) continue;
    say(`installing dependencies in ${dir} (npm ci)…`);
    run('npm', ['ci', '--no-audit', '--no-fund'], dir);
  }
}

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** `nest build` when dist/main.js is missing or older than a file under api/. */
export function ensureBuilt() {
  const main = join(root, 'dist', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestSourceMtime(join(root, 'api'))) return;
  say(existsSync(main) ? 'api/ changed since the last build: building dist/…' : 'building dist/ (nest build)…');
  run(join(root, 'node_modules', '.bin', 'nest'), ['build'], root);
}
