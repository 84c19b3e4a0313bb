#!/usr/bin/env node
// Serves the built Lambda handler over HTTP the way API Gateway REST would (stage prefix, base64 bodies), so the
// Lambda path can be explored in a browser and tested end to end without AWS or Docker.
//
//   npm run start:lambda                       # http://127.0.0.1:3001/local/docs
//   PORT=4000 STAGE=dev npm run start:lambda   # http://127.0.0.1:4000/dev/docs
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureLambdaBuilt } from './build-lambda.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const port = Number(process.env.PORT ?? 3001);
const host = process.env.HOST_LAMBDA ?? '127.0.0.1';
const stage = process.env.STAGE ?? 'local';

const handlerFile = await ensureLambdaBuilt();

// The emulator is TypeScript in api/dev/ (shared with the tests); it is bundled here, never shipped.
const cacheDir = join(root, 'node_modules', '.cache', 'imagestore');
mkdirSync(cacheDir, { recursive: true });
const emulatorFile = join(cacheDir, 'local-api-gateway.cjs');
await build({
  entryPoints: [join(root, 'api/dev/local-api-gateway.ts')],
  outfile: emulatorFile,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});

// In a terminal, let the bundled pino find pino-pretty and its worker in the repo's node_modules (the artifact
// itself never contains them); elsewhere logs stay JSON lines.
if (process.stdout.isTTY && !process.env.LOG_FORMAT) {
  globalThis.__bundlerPathsOverrides = {
    'pino-pretty': require.resolve('pino-pretty'),
    'pino-worker': require.resolve('pino/lib/worker.js'),
    'thread-stream-worker': require.resolve('thread-stream/lib/worker.js'),
  };
} else {
  process.env.LOG_FORMAT ??= 'json';
}

const { startLocalApiGateway } = require(emulatorFile);
const { handler } = require(handlerFile);
const server = await startLocalApiGateway({ handler, stage, port, host });
const { port: boundPort } = server.address();
console.log(`imagestore (Lambda handler behind a local API Gateway, stage "${stage}")`);
console.log(`Swagger UI: http://${host}:${boundPort}/${stage}/docs`);
console.log(`API base:   http://${host}:${boundPort}/${stage}`);

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
