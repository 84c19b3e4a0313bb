import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.factory';
import { StartupError } from '../common/startup-error';
import { loadConfig } from '../config/app-config';
import { imageFixtures } from '../test/image-fixtures';
import { createTestApp, type TestApp } from '../test/test-app';
import { mountTmpfs, type Tmpfs } from '../test/tmpfs';

const start = (STORAGE_DIR: string) => createApp({ config: loadConfig({ STORAGE_DIR, LOG_LEVEL: 'silent' }) });

describe('STORAGE_DIR at start-up', () => {
  it('refuses, at once, a directory the OS can never create (/proc), naming the path and the error', async () => {
    const started = Date.now();
    const error = await start('/proc/imagestore-nope').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/^STORAGE_DIR=\/proc\/imagestore-nope .*ENOENT/);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 10_000);

  it('refuses a path that is a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-notdir-'));
    const file = join(dir, 'file');
    await writeFile(file, 'x');

    await expect(start(join(file, 'images'))).rejects.toThrow(/STORAGE_DIR=.*ENOTDIR/);
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a missing directory, parents included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imagestore-create-'));
    const app = await start(join(dir, 'a', 'b', 'images'));
    expect((await request(app.getHttpServer()).get('/health')).status).toBe(200);
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a full disk over HTTP (tmpfs; needs root)', () => {
  let fs: Tmpfs;
  let t: TestApp;
  beforeAll(async () => {
    fs = mountTmpfs('http-spec', 512);
    if (fs.mounted) t = await createTestApp({ STORAGE_DIR: join(fs.path, 'images') });
  });
  afterAll(async () => {
    await t?.close();
    fs.unmount();
  });

  it('answers uploads 503 STORAGE_UNAVAILABLE with Retry-After, and /health says why', async (context) => {
    if (!fs.mounted) return context.skip('cannot mount a tmpfs here (not root?)');
    await writeFile(join(fs.path, 'filler'), Buffer.alloc(512 * 1024)).catch(() => undefined);
    try {
      const upload = await request(t.server)
        .post('/images')
        .attach('file', await imageFixtures.png(), 'a.png');
      expect(upload.status).toBe(503);
      expect(upload.headers['retry-after']).toBe('5');
      expect(upload.body).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      const health = await request(t.server).get('/health');
      expect(health.status).toBe(503);
      expect(health.body.message).toContain('ENOSPC');
      expect((await request(t.server).get('/images')).body.items).toEqual([]);
    } finally {
      await rm(join(fs.path, 'filler'), { force: true });
    }
    expect((await request(t.server).get('/health')).status).toBe(200);
  });
});
