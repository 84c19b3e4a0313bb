import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskImageStorage } from './disk.image-storage';
import {
  chunked,
  describeImageStorageContract,
  failingMidway,
  sampleImage,
  sampleVariant,
} from './image-storage.contract';

const tempRoot = () => mkdtemp(join(tmpdir(), 'imagestore-disk-'));

describeImageStorageContract(DiskImageStorage.name, async () => {
  const root = await tempRoot();
  return {
    storage: new DiskImageStorage(root),
    storedObjects: async () =>
      (await readdir(root, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => relative(root, join(entry.parentPath, entry.name)))
        .sort(),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
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

  it('keeps an image’s variants inside its directory, each as bytes and metadata', async () => {
    const root = await tempRoot();
    const storage = new DiskImageStorage(root);
    const { record, bytes } = sampleImage();
    await storage.put(record, chunked(bytes));
    const variant = sampleVariant('thumb.webp');
    await storage.putVariant(record.id, variant.record, chunked(variant.bytes));
    expect(await readdir(join(root, 'images', record.id, 'variants', 'thumb.webp'))).toEqual([
      'content',
      'metadata.json',
    ]);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
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
