// The `imagestore` command against the real server (the app in-process on an ephemeral port, disk storage),
// run as a child process exactly as a user runs it.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../api/test/test-app';

const CLI = join(__dirname, '..', 'src', 'cli.ts');
const MAX_UPLOAD_BYTES = 256 * 1024;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let t: TestApp;
let url: string;
let folder: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const png = (size: number, seed: number) =>
  sharp({ create: { width: size, height: size, channels: 3, background: { r: seed * 5, g: 90, b: 200 } } })
    .png()
    .toBuffer();

async function listedImages(): Promise<{ id: string; originalName: string | null }[]> {
  const response = await fetch(`${url}/images?limit=100`);
  return ((await response.json()) as { items: { id: string; originalName: string | null }[] }).items;
}

async function deleteAll(): Promise<void> {
  for (const image of await listedImages()) await fetch(`${url}/images/${image.id}`, { method: 'DELETE' });
}

/** 40 images the service accepts and 10 it refuses, each with the code it must give. */
const REFUSED: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
  await t.app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  folder = await mkdtemp(join(tmpdir(), 'imagestore-cli-'));
  await mkdir(join(folder, 'nested', 'deeper'), { recursive: true });
  for (let i = 0; i < 36; i++) {
    await writeFile(join(folder, i % 3 === 0 ? 'nested' : '', `photo-${i}.png`), await png(8 + i, i));
  }
  for (let i = 0; i < 4; i++) {
    await writeFile(
      join(folder, 'nested', 'deeper', `shot-${i}.jpg`),
      await sharp(await png(20, i))
        .jpeg()
        .toBuffer(),
    );
  }
  const truncated = await png(64, 1);
  const refused: [string, Buffer, string][] = [
    ['notes-1.png', Buffer.from('just text\n'), 'UNSUPPORTED_MEDIA_TYPE'],
    ['notes-2.txt', Buffer.from('more text\n'), 'UNSUPPORTED_MEDIA_TYPE'],
    ['page.html', Buffer.from('<html><body>hi</body></html>'), 'UNSUPPORTED_MEDIA_TYPE'],
    ['drawing-1.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'UNSUPPORTED_MEDIA_TYPE'],
    ['drawing-2.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="2"/>'), 'UNSUPPORTED_MEDIA_TYPE'],
    ['empty-1.png', Buffer.alloc(0), 'EMPTY_FILE'],
    ['empty-2.jpg', Buffer.alloc(0), 'EMPTY_FILE'],
    ['cut-1.png', truncated.subarray(0, truncated.length / 2), 'INVALID_IMAGE'],
    ['cut-2.png', truncated.subarray(0, 40), 'INVALID_IMAGE'],
    ['huge.png', Buffer.concat([truncated, Buffer.alloc(MAX_UPLOAD_BYTES)]), 'PAYLOAD_TOO_LARGE'],
  ];
  for (const [name, bytes, code] of refused) {
    await writeFile(join(folder, name), bytes);
    REFUSED[name] = code;
  }
  // Hidden files are not part of the upload.
  await writeFile(join(folder, '.DS_Store'), 'finder metadata');
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('imagestore upload', () => {
  it('uploads a folder of 50 mixed files: 40 stored, 10 refused with their codes, exit code 1', async () => {
    await deleteAll();
    const run = await cli(['--url', url, '--json', 'upload', folder, '--concurrency', '4']);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as {
      uploaded: { file: string; id: string; originalName: string }[];
      failed: { file: string; status: number; code: string }[];
      notStarted: string[];
    };
    expect(report.uploaded).toHaveLength(40);
    expect(report.notStarted).toEqual([]);
    expect(Object.fromEntries(report.failed.map((failure) => [basename(failure.file), failure.code]))).toEqual(REFUSED);

    const stored = await listedImages();
    expect(stored.map((image) => image.id).sort()).toEqual(report.uploaded.map((item) => item.id).sort());
    expect(stored.map((image) => image.originalName).sort()).toEqual(
      report.uploaded.map((item) => basename(item.file)).sort(),
    );
  }, 60_000);

  it('prints plain progress lines and a summary listing each failure when stdout is not a terminal', async () => {
    await deleteAll();
    const run = await cli(['upload', join(folder, 'photo-1.png'), join(folder, 'notes-1.png')], {
      IMAGESTORE_URL: url,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\[\d\/2\] ok .*photo-1\.png → [0-9a-f-]{36}/);
    expect(run.stderr).toMatch(/\[\d\/2\] failed .*notes-1\.png: UNSUPPORTED_MEDIA_TYPE/);
    expect(run.stdout).toContain('uploaded 1 of 2 files');
    expect(run.stdout).toMatch(/1 failed:\n {2}.*notes-1\.png: UNSUPPORTED_MEDIA_TYPE \(415\)/);
  });

  it('exits 0 when every file is stored', async () => {
    await deleteAll();
    const run = await cli(['--url', url, 'upload', join(folder, 'nested', 'deeper')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('uploaded 4 of 4 files');
  });

  it('on Ctrl-C finishes the file in flight, starts no more, and exits 130', async () => {
    await deleteAll();
    const child = spawn(process.execPath, [CLI, '--url', url, '--json', 'upload', folder, '--concurrency', '1']);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => {
      // Interrupt once the first upload is under way (the server has seen it).
      // Exactly one SIGINT: polls overlap, and a second Ctrl-C would abort the file in flight.
      let interrupted = false;
      const poll = setInterval(async () => {
        if (!interrupted && (await listedImages()).length > 0 && !interrupted) {
          interrupted = true;
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 20);
      child.on('exit', (exitCode) => {
        clearInterval(poll);
        resolve(exitCode);
      });
    });
    expect(code).toBe(130);
    const report = JSON.parse(stdout) as { uploaded: { id: string }[]; failed: unknown[]; notStarted: string[] };
    const attempted = report.uploaded.length + report.failed.length;
    expect(attempted).toBeGreaterThan(0);
    expect(attempted + report.notStarted.length).toBe(50);
    expect(report.notStarted.length).toBeGreaterThan(0);
    expect((await listedImages()).map((image) => image.id).sort()).toEqual(
      report.uploaded.map((item) => item.id).sort(),
    );
  }, 60_000);
});

describe('imagestore list, get, delete', () => {
  it('lists as JSON, downloads the exact bytes, and deletes (non-zero exit for an unknown id)', async () => {
    await deleteAll();
    const source = join(folder, 'photo-5.png');
    const uploaded = JSON.parse((await cli(['--url', url, '--json', 'upload', source])).stdout) as {
      uploaded: { id: string; sha256: string }[];
    };
    const [image] = uploaded.uploaded;

    const listed = JSON.parse((await cli(['--url', url, '--json', 'list', '--all'])).stdout) as {
      items: { id: string }[];
    };
    expect(listed.items.map((item) => item.id)).toEqual([image!.id]);

    const output = join(folder, '..', `${basename(folder)}-download.png`);
    try {
      const got = await cli(['--url', url, 'get', image!.id, '-o', output]);
      expect(got.code, got.stderr).toBe(0);
      expect(
        createHash('sha256')
          .update(await readFile(output))
          .digest('hex'),
      ).toBe(image!.sha256);
    } finally {
      await rm(output, { force: true });
    }

    const unknown = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
    const deleted = await cli(['--url', url, '--json', 'delete', image!.id, unknown]);
    expect(deleted.code).toBe(1);
    expect(JSON.parse(deleted.stdout)).toEqual([
      { id: image!.id, deleted: true },
      { id: unknown, deleted: false, code: 'IMAGE_NOT_FOUND', message: expect.any(String) },
    ]);
    expect(await listedImages()).toEqual([]);
  }, 60_000);
});
