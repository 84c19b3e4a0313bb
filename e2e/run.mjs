#!/usr/bin/env node
// Runs the black-box suite (or, with --browser, the browser tests: Swagger UI and the web gallery).
//
//   E2E_BASE_URL=https://…/dev [E2E_API_KEY=…] node e2e/run.mjs   → against that URL, nothing started here
//   node e2e/run.mjs                                               → builds if needed, starts `node dist/main.js`
//                                                                   on a free port with a temp STORAGE_DIR
//   E2E_TARGET=lambda node e2e/run.mjs                             → starts `npm run start:lambda` (the bundled
//                                                                   Lambda handler behind a local /local stage)
//   E2E_STORAGE=s3 node e2e/run.mjs                                → local server on S3, using the S3_TEST_* env
//                                                                   (e.g. MinIO); enables the direct-upload test
// Except for --browser, the suite talks to the target through Stoplight Prism (`prism proxy --errors openapi.json
// <target>`), so any request or response that does not match the committed document fails the run; Prism's
// warnings (an undocumented status, say) fail it too. e2e/support/contract.ts says which exchanges Prism cannot
// carry and how those are checked instead.
// Extra arguments go to vitest (e.g. `npm run test:e2e -- -t lifecycle`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../scripts/ensure-setup.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const browser = args.includes('--browser');
const vitestArgs = args.filter((arg) => arg !== '--browser');
const config = path.join(root, 'e2e', browser ? 'vitest.browser.config.mts' : 'vitest.config.mts');
/** Small, so the over-size test sends little; passed to the suite so it knows. */
const LOCAL_MAX_UPLOAD_BYTES = 1024 * 1024;
/** Small, so an image of a few hundred KB exercises the 307 to storage on S3 (disk storage ignores it). */
const LOCAL_CONTENT_REDIRECT_BYTES = 256 * 1024;
const STARTUP_TIMEOUT_MS = 60_000;

const log = (message) => process.stderr.write(`[e2e] ${message}\n`);

function runVitest(env) {
  const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const result = spawnSync(process.execPath, [vitest, 'run', '--config', config, ...vitestArgs], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}

function npm(script) {
  log(`npm run ${script}`);
  const result = spawnSync('npm', ['run', script], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run ${script} failed`);
}

function buildIfNeeded(target) {
  // The gallery at / (both targets serve it; the Lambda artifact copies it).
  const web = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-web.mjs'), '--if-stale'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (web.status !== 0) throw new Error('building the gallery (web/) failed');
  if (target === 'lambda') {
    if (!existsSync(path.join(root, 'dist-lambda'))) npm('build:lambda');
    return;
  }
  ensureBuilt();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function storageEnv(storage, storageDir) {
  if (storage === 'disk') return { STORAGE_DRIVER: 'disk', STORAGE_DIR: storageDir };
  if (storage !== 's3') throw new Error(`E2E_STORAGE must be disk or s3, not ${storage}`);
  const missing = ['S3_TEST_ENDPOINT', 'S3_TEST_BUCKET', 'S3_TEST_ACCESS_KEY_ID', 'S3_TEST_SECRET_ACCESS_KEY'].filter(
    (name) => !process.env[name],
  );
  if (missing.length > 0) throw new Error(`E2E_STORAGE=s3 needs ${missing.join(', ')}`);
  return {
    STORAGE_DRIVER: 's3',
    S3_BUCKET: process.env.S3_TEST_BUCKET,
    S3_ENDPOINT: process.env.S3_TEST_ENDPOINT,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: process.env.S3_TEST_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: process.env.S3_TEST_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.S3_TEST_SECRET_ACCESS_KEY,
  };
}

async function waitForHealth(baseUrl, server) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode} before it was healthy`);
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`GET ${baseUrl}/health did not answer 200 within ${STARTUP_TIMEOUT_MS / 1000}s`);
}

/** Stops the server's whole process group (npm → sh → node for start:lambda), politely first. */
async function stop(server) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  const signal = (name) => {
    try {
      process.kill(-server.pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts the validating proxy in front of `upstream`; resolves once it answers. */
async function startPrism(upstream, workDir) {
  const port = await freePort();
  const logFile = path.join(workDir, 'prism.log');
  const prismLog = openSync(logFile, 'a');
  const prism = spawn(
    path.join(root, 'node_modules', '.bin', 'prism'),
    ['proxy', '--errors', '--verboseLevel', 'warn', '-h', '127.0.0.1', '-p', String(port), 'openapi.json', upstream],
    { cwd: root, detached: true, stdio: ['ignore', prismLog, prismLog] },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (prism.exitCode !== null)
      throw new Error(`prism exited with ${prism.exitCode}: ${readFileSync(logFile, 'utf8')}`);
    try {
      await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`prism did not listen within ${STARTUP_TIMEOUT_MS / 1000}s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  log(`prism proxy at ${url} → ${upstream}; log: ${logFile}`);
  return { url, process: prism, logFile };
}

/** Prism's findings: errors were already answered to the suite; warnings (undocumented statuses) fail here. */
function prismFindings(logFile) {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => /Violation|✖/.test(line));
}

/** Runs the suite through Prism in front of `target`; fails on any finding Prism logged. */
async function runThroughPrism(target, env, workDir) {
  if (browser) return runVitest({ ...env, E2E_BASE_URL: target });
  const prism = await startPrism(target, workDir);
  try {
    const status = runVitest({ ...env, E2E_BASE_URL: prism.url, E2E_TARGET_URL: target });
    const findings = prismFindings(prism.logFile);
    if (findings.length === 0) return status;
    log(`prism found ${findings.length} contract problem(s):\n${findings.join('\n')}`);
    return 1;
  } finally {
    await stop(prism.process);
  }
}

async function main() {
  if (process.env.E2E_BASE_URL) {
    const target = process.env.E2E_BASE_URL.replace(/\/+$/, '');
    log(`target: ${target}${process.env.E2E_API_KEY ? ' (with API key)' : ''}`);
    const workDir = mkdtempSync(path.join(tmpdir(), 'imagestore-e2e-'));
    try {
      return await runThroughPrism(target, { E2E_RETRY: '1' }, workDir);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  }

  // `disk` (default, also spelled `node`): dist/main.js; `lambda`: the Lambda handler through start:lambda.
  const target = (process.env.E2E_TARGET ?? 'disk') === 'lambda' ? 'lambda' : 'node';
  if (!['disk', 'node', 'lambda', undefined].includes(process.env.E2E_TARGET)) {
    throw new Error(`E2E_TARGET must be disk (or node) or lambda, not ${process.env.E2E_TARGET}`);
  }
  const storage = process.env.E2E_STORAGE ?? 'disk';
  buildIfNeeded(target);

  const port = await freePort();
  const workDir = mkdtempSync(path.join(tmpdir(), 'imagestore-e2e-'));
  const logFile = path.join(workDir, 'server.log');
  const serverLog = openSync(logFile, 'a');
  const env = {
    ...process.env,
    ...storageEnv(storage, path.join(workDir, 'images')),
    PORT: String(port),
    HOST: '127.0.0.1',
    MAX_UPLOAD_BYTES: String(LOCAL_MAX_UPLOAD_BYTES),
    CONTENT_REDIRECT_BYTES: String(LOCAL_CONTENT_REDIRECT_BYTES),
    LOG_FORMAT: 'json',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const [command, commandArgs] =
    target === 'lambda' ? ['npm', ['run', 'start:lambda']] : [process.execPath, [path.join(root, 'dist', 'main.js')]];
  const baseUrl = `http://127.0.0.1:${port}${target === 'lambda' ? '/local' : ''}`;
  log(`starting ${target} server (${storage} storage) at ${baseUrl}; log: ${logFile}`);
  const server = spawn(command, commandArgs, {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', serverLog, serverLog],
  });

  const cleanUp = async () => {
    await stop(server);
    rmSync(workDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => void cleanUp().then(() => process.exit(130)));
  }

  let status = 1;
  try {
    await waitForHealth(baseUrl, server);
    status = await runThroughPrism(
      baseUrl,
      {
        E2E_MAX_UPLOAD_BYTES: String(LOCAL_MAX_UPLOAD_BYTES),
        E2E_CONTENT_REDIRECT_BYTES: String(LOCAL_CONTENT_REDIRECT_BYTES),
        E2E_RETRY: '0',
      },
      workDir,
    );
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
  } finally {
    if (status !== 0) {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
      log(`last server log lines:\n${tail}`);
    }
    await cleanUp();
  }
  return status;
}

main().then(
  (status) => process.exit(status),
  (error) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
