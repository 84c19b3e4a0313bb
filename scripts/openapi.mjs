#!/usr/bin/env node
// `npm run openapi`: writes openapi.json exactly as the app serves it at /docs-json (default configuration,
// disk storage in a throwaway directory), then regenerates the typed client from it. api/openapi.spec.ts fails
// when the committed file and the served document differ.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
};

run('npx', ['nest', 'build']);
const { createApp } = await import(path.join(root, 'dist', 'app.factory.js'));
const { loadConfig } = await import(path.join(root, 'dist', 'config', 'app-config.js'));
const storageDir = await mkdtemp(path.join(tmpdir(), 'imagestore-openapi-'));
const app = await createApp({
  config: loadConfig({ STORAGE_DIR: storageDir, LOG_LEVEL: 'silent', LOG_FORMAT: 'json' }),
});
try {
  await app.listen(0, '127.0.0.1');
  const response = await fetch(`${await app.getUrl()}/docs-json`);
  if (!response.ok) throw new Error(`GET /docs-json answered ${response.status}`);
  await writeFile(path.join(root, 'openapi.json'), `${JSON.stringify(await response.json(), null, 2)}\n`);
} finally {
  await app.close();
  await rm(storageDir, { recursive: true, force: true });
}
run('npm', ['run', 'generate', '--workspace', 'clients/typescript']);
run('npx', ['prettier', '--write', 'openapi.json', 'clients/typescript/src/generated']);
