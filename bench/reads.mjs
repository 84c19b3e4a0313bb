#!/usr/bin/env node
// npm run bench:reads (first part): GETs through the built API (`node dist/main.js`, disk storage, LOG_LEVEL=info
// as deployed, lines discarded) against a bare node:http server (bench/bare-server.cjs) answering the same bytes
// with the same kind of headers, both in processes of their own. wrk (2 threads, 16 connections, loopback);
// ROUNDS interleaved rounds (default 3) of WRK_SECONDS each (default 4), medians; each server's own CPU time per
// request from /proc/<pid>/stat; RSS and the live heap after GC of both after every phase.
//   ROUNDS=5 WRK_SECONDS=5 BENCH_PORT_BASE=62100 npm run bench:reads
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as kit from './bench-kit.mjs';

const rounds = Math.max(2, Number(process.env.ROUNDS ?? 3));
const wrkSeconds = Math.max(2, Number(process.env.WRK_SECONDS ?? 4));
const LIST_LIMIT = 100;
const log = (message) => process.stderr.write(`[bench:reads] ${message}\n`);

/** Stores what the cases read; returns the cases as [label, API path, bare route, goal]. */
async function prepare(api, storageDir, scratch) {
  const small = await kit.upload(api.base, await kit.photoLike(96, 72, 7, (image) => image.png()), 'small.png');
  const large = await kit.upload(api.base, await kit.photoLike(1600, 1200, 11), 'large.jpg');
  for (let i = 0; i < LIST_LIMIT; i++) {
    await kit.upload(api.base, await kit.photoLike(96, 72, 100 + i, (image) => image.png()), `list-${i}.png`);
  }
  const variantPath = `/images/${large.id}/variants/thumb?format=webp`;
  const variantBytes = await kit.bytesOf(api.base + variantPath);
  const listing = await (await fetch(`${api.base}/images?limit=${LIST_LIMIT}`)).json();
  const metadataFile = join(scratch, 'image.json');
  writeFileSync(metadataFile, await kit.bytesOf(`${api.base}/images/${small.id}`));
  const content = (
    image,
    file = join(storageDir, image.id, 'content'),
    type = image.contentType,
    size = image.size,
  ) => ({
    file,
    headers: {
      'Content-Type': type,
      'Content-Length': String(size),
      ETag: `"${image.sha256}"`,
      'Cache-Control': 'private, max-age=31536000, immutable',
    },
  });
  const json = { 'Content-Type': 'application/json; charset=utf-8' };
  const variantFile = join(storageDir, large.id, 'variants', 'thumb.webp', 'content');
  const routes = {
    '/small': content(small),
    '/large': content(large),
    '/variant': content(large, variantFile, 'image/webp', variantBytes.length),
    '/metadata': { json: metadataFile, headers: json },
    '/list': { records: listing.items.map((item) => join(storageDir, item.id, 'metadata.json')), headers: json },
  };
  const cases = [
    [`small /content (${small.contentType}, ${small.size} B)`, `/images/${small.id}/content`, '/small', 0.5],
    [`large /content (${large.contentType}, ${large.size} B)`, `/images/${large.id}/content`, '/large', 0.8],
    [`stored variant (thumb WebP, ${variantBytes.length} B)`, variantPath, '/variant', 0.5],
    ['GET /images/{id} metadata', `/images/${small.id}`, '/metadata', 0.5],
    [`GET /images?limit=${LIST_LIMIT} (${listing.items.length} items)`, `/images?limit=${LIST_LIMIT}`, '/list', null],
  ];
  return { routes, cases };
}

/** One wrk sample against `server`, with the CPU time the server spent answering it. */
function sample(server, path) {
  const before = kit.cpuSeconds(server.child.pid);
  const result = kit.wrk(server.base + path, wrkSeconds);
  const cpuMs = (kit.cpuSeconds(server.child.pid) - before) * 1000;
  return { ...result, cpuMsPerRequest: cpuMs / result.requests };
}

async function memory(phase, servers, table) {
  const row = [phase];
  for (const server of servers) {
    row.push(kit.fmt(kit.rssMb(server.child.pid), 0), kit.fmt(await kit.heapMb(server.child), 1));
  }
  table.push(row);
}

async function main() {
  kit.ensureBuilt(log);
  const storageDir = mkdtempSync(join(tmpdir(), 'imagestore-bench-reads-'));
  const scratch = mkdtempSync(join(tmpdir(), 'imagestore-bench-reads-bare-'));
  const api = await kit.startApi(storageDir, {
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    IMAGE_VARIANTS_EAGER: 'none',
  });
  let bare;
  try {
    log(`storing ${LIST_LIMIT + 2} images`);
    const { routes, cases } = await prepare(api, storageDir, scratch);
    bare = await kit.startBareServer(routes, 1);
    const memoryTable = [];
    await memory('after uploads', [api, bare], memoryTable);
    const loadBefore = kit.loadAverage();
    const samples = cases.map(() => ({ api: [], bare: [] }));
    for (const [, apiPath, barePath] of cases) {
      kit.wrk(api.base + apiPath, 1);
      kit.wrk(bare.base + barePath, 1);
    }
    for (let round = 0; round < rounds; round++) {
      log(`round ${round + 1}/${rounds}`);
      for (const [index, [, apiPath, barePath]] of cases.entries()) {
        samples[index].api.push(sample(api, apiPath));
        samples[index].bare.push(sample(bare, barePath));
      }
      await memory(`after round ${round + 1}`, [api, bare], memoryTable);
    }
    report(cases, samples, memoryTable, `${loadBefore} → ${kit.loadAverage()}`);
  } finally {
    await bare?.stop();
    await api.stop();
    rmSync(storageDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

const medianOf = (list, key) => kit.median(list.map((s) => s[key]));

function report(cases, samples, memoryTable, load) {
  console.log(
    `node ${process.version}, ${rounds} interleaved rounds (medians), wrk -t2 -c16 ${wrkSeconds} s per sample, ` +
      `load average (1/5/15 min) ${load}\n`,
  );
  const header = ['case', 'API req/s', 'bare req/s', 'ratio', 'goal', 'API p50/p99 ms', 'bare p50/p99 ms'];
  const rows = cases.map(([label, , , goal], index) => {
    const [a, b] = [samples[index].api, samples[index].bare].map((list) =>
      Object.fromEntries(['rps', 'p50', 'p99', 'cpuMsPerRequest'].map((key) => [key, medianOf(list, key)])),
    );
    const ratio = a.rps / b.rps;
    const verdict = goal === null ? '—' : `≥ ${goal}× ${ratio >= goal ? '✓' : '✗'}`;
    const p99Verdict = a.p99 <= 3 * b.p99 ? '✓' : '✗';
    return [
      label,
      `${kit.fmt(a.rps, 0)} (${kit.fmt(a.cpuMsPerRequest, 3)} ms CPU)`,
      `${kit.fmt(b.rps, 0)} (${kit.fmt(b.cpuMsPerRequest, 3)} ms CPU)`,
      `${kit.fmt(ratio, 2)}×`,
      verdict,
      `${kit.fmt(a.p50, 2)} / ${kit.fmt(a.p99, 2)} (${kit.fmt(a.p99 / b.p99, 1)}× ${p99Verdict})`,
      `${kit.fmt(b.p50, 2)} / ${kit.fmt(b.p99, 2)}`,
    ];
  });
  printTable(header, rows);
  console.log('\np99 goal: within 3× of bare. CPU: the server process’s user+system time per request.\n');
  printTable(['memory', 'API RSS MB', 'API heap MB', 'bare RSS MB', 'bare heap MB'], memoryTable);
}

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

await main();
