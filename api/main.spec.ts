import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The local entry point as a process, for what happens before the app boots: a bad setting or an address the
// server cannot take ends it with exit 78 and one line per problem. esbuild's bundle lacks the decorator
// metadata Nest's DI needs, which is fine: none of these cases gets as far as creating the app.
const work = mkdtempSync(join(tmpdir(), 'imagestore-main-'));
const entry = join(work, 'main.cjs');

beforeAll(async () => {
  await build({
    entryPoints: [resolve(__dirname, 'main.ts')],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    logLevel: 'error',
    absWorkingDir: resolve(__dirname, '..'),
  });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], {
    cwd: resolve(__dirname, '..'),
    env: { PATH: process.env.PATH, NODE_PATH: resolve(__dirname, '../node_modules'), LOG_LEVEL: 'silent', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
    child.once('close', (code) => done({ code, stdout, stderr })),
  );
}

async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

describe('main (local HTTP entry point)', () => {
  it('refuses a HOST that is not an address of this machine with one line and exit 78', async () => {
    const run = await runMain({ HOST: '192.0.2.1', PORT: '3999' });
    expect(run).toEqual({
      code: 78,
      stdout: '',
      stderr:
        'imagestore cannot listen on 192.0.2.1:3999: HOST="192.0.2.1" is not an address of this machine (EADDRNOTAVAIL)\n',
    });
  });

  it('refuses a PORT already in use with one line and exit 78', async () => {
    const { server, port } = await occupiedPort();
    try {
      const run = await runMain({ PORT: String(port) });
      expect(run).toEqual({
        code: 78,
        stdout: '',
        stderr: `imagestore cannot listen on 127.0.0.1:${port}: PORT=${port} is already in use there; stop what holds it or choose another PORT (EADDRINUSE)\n`,
      });
    } finally {
      server.close();
    }
  });

  it('refuses a bad setting with the variable, the value and the rule on one line, and exit 78', async () => {
    const run = await runMain({ MAX_UPLOAD_BYTES: 'abc', HOST: '192.0.2.1' });
    expect(run).toEqual({
      code: 78,
      stdout: '',
      stderr: 'Invalid configuration:\n  MAX_UPLOAD_BYTES="abc": must be a whole number from 1024 to 1073741824\n',
    });
  });

  it('under npm run start:dev, says that the watcher waits for a fix', async () => {
    const run = await runMain({ PORT: 'eighty', npm_lifecycle_event: 'start:dev' });
    expect(run.code).toBe(78);
    expect(run.stderr).toBe(
      'Invalid configuration:\n  PORT="eighty": must be a whole number from 0 to 65535\n' +
        'start:dev is waiting for a fix: saving .env or a file under api/ restarts the app (Ctrl-C stops it).\n',
    );
  });
});
