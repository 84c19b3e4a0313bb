#!/usr/bin/env node
// npm run bench:disk-list: paging through a large disk store, the adapter (sorted id index, refreshed when the
// directory changes; 16 metadata reads at a time) against the previous algorithm (readdir + sort of the whole
// directory and `limit` reads at once, on every page), and the adapter with the record cache on (a stat per record
// instead of a read, once warm), in the same run on the same directory.
//   IMAGES=20000 LIMIT=100 npm run bench:disk-list
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const images = Number(process.env.IMAGES ?? 10_000);
const limit = Number(process.env.LIMIT ?? 100);
const rounds = Number(process.env.ROUNDS ?? 3);

const adapterFile = join(root, 'dist', 'images', 'storage', 'disk.image-storage.js');
if (!existsSync(adapterFile)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
const { DiskImageStorage } = createRequire(import.meta.url)(adapterFile);
const { RecordCache } = createRequire(import.meta.url)(join(dirname(adapterFile), 'record-cache.js'));
const { v7: uuidv7 } = await import('uuid');

const dir = mkdtempSync(join(tmpdir(), 'imagestore-bench-list-'));
process.stderr.write(`bench: writing ${images} images to ${dir}\n`);
for (let i = 0; i < images; i++) {
  const id = uuidv7();
  mkdirSync(join(dir, id));
  writeFileSync(join(dir, id, 'content'), 'x');
  const record = { id, contentType: 'image/png', size: 1, width: 1, height: 1, sha256: '0'.repeat(64) };
  writeFileSync(join(dir, id, 'metadata.json'), JSON.stringify({ ...record, originalName: null, createdAt: '' }));
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** What list() did before: the whole directory read and sorted for every page, every metadata file at once. */
async function previousList(after) {
  const ids = (await readdir(dir))
    .filter((name) => ID.test(name))
    .sort()
    .filter((id) => after === undefined || id > after);
  const pageIds = ids.slice(0, limit);
  const items = await Promise.all(
    pageIds.map(async (id) => JSON.parse(await readFile(join(dir, id, 'metadata.json')))),
  );
  return { items, continuationToken: ids.length > limit ? pageIds[pageIds.length - 1] : undefined };
}

const storage = new DiskImageStorage(dir);
const current = (after) => storage.list({ limit, ...(after ? { continuationToken: after } : {}) });
const cachedStorage = new DiskImageStorage(dir, { recordCache: new RecordCache(images) });
const cached = (after) => cachedStorage.list({ limit, ...(after ? { continuationToken: after } : {}) });

async function pageThrough(list) {
  const started = performance.now();
  let token;
  let pages = 0;
  let seen = 0;
  do {
    const page = await list(token);
    seen += page.items.length;
    token = page.continuationToken;
    pages += 1;
  } while (token);
  if (seen !== images) throw new Error(`saw ${seen} of ${images}`);
  return { ms: performance.now() - started, pages };
}

const results = { previous: [], current: [], cached: [] };
await pageThrough(current); // builds the index once, as the first request after start-up would
await pageThrough(cached); // and fills the cache
for (let round = 0; round < rounds; round++) {
  results.previous.push((await pageThrough(previousList)).ms);
  results.current.push((await pageThrough(current)).ms);
  results.cached.push((await pageThrough(cached)).ms);
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const pages = Math.ceil(images / limit);
const [previous, now, warm] = [median(results.previous), median(results.current), median(results.cached)];
process.stdout.write(
  [
    `${images} images, limit=${limit}: ${pages} pages, median of ${rounds} full passes`,
    `previous (scan + sort per page): ${previous.toFixed(0)} ms total, ${(previous / pages).toFixed(1)} ms/page`,
    `current (index, bounded reads):  ${now.toFixed(0)} ms total, ${(now / pages).toFixed(1)} ms/page`,
    `current + record cache, warm:    ${warm.toFixed(0)} ms total, ${(warm / pages).toFixed(1)} ms/page`,
    `ratio previous/current: ×${(previous / now).toFixed(1)}; current/cached: ×${(now / warm).toFixed(2)}`,
    '',
  ].join('\n'),
);
rmSync(dir, { recursive: true, force: true });
