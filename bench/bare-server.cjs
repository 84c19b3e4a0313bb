'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS server, as a bare baseline must be */
// The bare baseline of the HTTP read benches: node:http and nothing else, in a process of its own (wrk runs
// synchronously in the bench, which would starve a server in that process). Routes come from BARE_ROUTES (JSON):
//   { "/path": { "file": "...", "headers": { ... } } }        streams the file with those headers;
//   { "/path": { "json": "...", "headers": { ... } } }        reads the file per request and sends it whole;
//   { "/path": { "records": ["...", ...], "headers": { ... } } } reads and parses each JSON file per request and
//                                                              answers them as `{ items, nextCursor }`.
const http = require('node:http');
const { createReadStream } = require('node:fs');
const { readFile } = require('node:fs/promises');

const routes = JSON.parse(process.env.BARE_ROUTES);

async function answer(route, res) {
  if (route.file) {
    res.writeHead(200, route.headers);
    createReadStream(route.file).pipe(res);
    return;
  }
  const body = route.json
    ? await readFile(route.json)
    : JSON.stringify({
        items: await Promise.all(route.records.map(async (file) => JSON.parse(await readFile(file, 'utf8')))),
        nextCursor: null,
      });
  res.writeHead(200, { ...route.headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

http
  .createServer((req, res) => {
    const route = routes[req.url];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    answer(route, res).catch(() => res.destroy());
  })
  .listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready'));
