#!/usr/bin/env node
// Runs before `npm run start:dev` and `npm test`, so the README's two commands work on a fresh clone:
// it checks the Node version and installs dependencies when they are missing or older than the lockfile.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const REQUIRED_MAJOR = 24;

const major = Number(process.versions.node.split('.')[0]);
if (major < REQUIRED_MAJOR) {
  console.error(
    `imagestore needs Node.js ${REQUIRED_MAJOR} (the AWS Lambda runtime it deploys to); this is ${process.version}.\n` +
      `  nvm:  nvm install && nvm use      (reads .nvmrc)\n` +
      `  fnm:  fnm use --install-if-missing\n` +
      `  or see https://nodejs.org/en/download`,
  );
  process.exit(1);
}

const needsInstall = (dir) => {
  const marker = join(dir, 'node_modules', '.package-lock.json');
  const lock = join(dir, 'package-lock.json');
  return !existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs;
};

for (const dir of [root, ...(process.argv.includes('--with-infra') ? [join(root, 'infra')] : [])]) {
  if (!needsInstall(dir)) continue;
  console.error(`Installing dependencies in ${dir} (npm ci)…`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
