import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskImageStorage } from './disk.image-storage';
import { chunked, describeImageStorageContract, failingMidway, sampleImage } from './image-storage.contract';

const tempRoot = () => mkdtemp(join(tmpdir(), 'imagestore-disk-'));

describeImageStorageContract(DiskImageStorage.name, async () => {
  const root = await tempRoot();
  return { storage: new DiskImageStorage(root), cleanup: () => rm(root, { recursive: true, force: true }) };
});

describe(`${DiskImageStorage.name} on disk`, () => {
  it('leaves no staging directory behind after a failed write', async () => {
    const root = await tempRoot();
    const storage = new DiskImageStorage(root);
    const { record, bytes } = sampleImage();
    await expect(storage.put(record, failingMidway(bytes, new Error('client went away')))).rejects.toThrow(
      'client went away',
    );
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    expect(await readdir(join(root, 'images'))).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });

  it('keeps one directory per image holding exactly the bytes and the metadata', async () => {
    const root = await tempRoot();
    const storage = new DiskImageStorage(root);
    const { record, bytes } = sampleImage();
    await storage.put(record, chunked(bytes));
    expect(await readdir(join(root, 'images', record.id))).toEqual(['content', 'metadata.json']);
    await rm(root, { recursive: true, force: true });
  });

  it('sweeps staging left by a crash on first use', async () => {
    const root = await tempRoot();
    const first = new DiskImageStorage(root);
    await first.checkReady();
    const { mkdir, utimes } = await import('node:fs/promises');
    const crashed = join(root, '.tmp', 'left-by-a-crash');
    await mkdir(crashed);
    const longAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(crashed, longAgo, longAgo);
    await new DiskImageStorage(root).checkReady();
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });
});
