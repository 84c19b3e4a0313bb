import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskImageStorage } from './disk.image-storage';
import { isDiskUnavailable, onDisk } from './disk-errors';
import { RecordCache } from './record-cache';
import { mountTmpfs, type Tmpfs } from '../../test/tmpfs';
import {
  chunked,
  describeImageStorageContract,
  failingMidway,
  sampleImage,
  sampleVariant,
} from './image-storage.contract';
import { StorageUnavailableError } from '../image-storage.errors';

const run = promisify(execFile);
const tempRoot = () => mkdtemp(join(tmpdir(), 'imagestore-disk-'));
/** Everything in the root except the dot-directories of staging and keys. */
const visible = async (root: string) => (await readdir(root)).filter((name) => !name.startsWith('.'));

// With the record cache on, as configured by default.
describeImageStorageContract(DiskImageStorage.name, async () => {
  const root = await tempRoot();
  return {
    storage: new DiskImageStorage(root, { recordCache: new RecordCache(100) }),
    storedObjects: async () =>
      (await readdir(root, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => relative(root, join(entry.parentPath, entry.name)))
        .sort(),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe(`${DiskImageStorage.name} on disk`, () => {
  it('keeps each image in <root>/<id>/, holding exactly the bytes and the metadata', async () => {
    const root = await tempRoot();
    const storage = new DiskImageStorage(root);
    const { record, bytes } = sampleImage();
    await storage.put(record, chunked(bytes));
    expect(await visible(root)).toEqual([record.id]);
    expect(await readdir(join(root, record.id))).toEqual(['content', 'metadata.json']);
    await rm(root, { recursive: true, force: true });
  });

  it('leaves no staging directory behind after a failed write', async () => {
    const root = await tempRoot();
    const storage = new DiskImageStorage(root);
    const { record, bytes } = sampleImage();
    await expect(storage.put(record, failingMidway(bytes, new Error('client went away')))).rejects.toThrow(
      'client went away',
    );
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    expect(await visible(root)).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });

  it('moves images of the old layout (<root>/images/<id>/) into place on start-up', async () => {
    const root = await tempRoot();
    const { record, bytes } = sampleImage();
    await mkdir(join(root, 'images', record.id), { recursive: true });
    await writeFile(join(root, 'images', record.id, 'content'), bytes);
    await writeFile(join(root, 'images', record.id, 'metadata.json'), JSON.stringify(record));

    const storage = new DiskImageStorage(root);

    expect((await storage.list({ limit: 5 })).items).toEqual([record]);
    expect(await visible(root)).toEqual([record.id]);
    await rm(root, { recursive: true, force: true });
  });

  it('keeps an image’s variants inside its directory, each as bytes and metadata', async () => {
    const root = await tempRoot();
    const storage = new DiskImageStorage(root);
    const { record, bytes } = sampleImage();
    await storage.put(record, chunked(bytes));
    const variant = sampleVariant('thumb.webp');
    await storage.putVariant(record.id, variant.record, chunked(variant.bytes));
    expect(await readdir(join(root, record.id, 'variants', 'thumb.webp'))).toEqual(['content', 'metadata.json']);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });

  it('removes at start-up what a dead process of this machine left, whatever its age, and nothing live', async () => {
    const root = await tempRoot();
    await new DiskImageStorage(root).checkReady();
    const staging = join(root, '.tmp');
    const deadPid = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
    const leftovers = {
      // a kill -9 mid-upload: fresh, with a truncated file
      dead: `${hostname()}.${deadPid}~crashed`,
      // our own pid, so a predecessor's (containers restart as pid 1)
      ownPid: `${hostname()}.${process.pid}~predecessor`,
      trash: 'deleted~half-removed',
      oldForeign: 'other-host.42~old',
    };
    const kept = { live: `${hostname()}.${process.ppid}~writing`, freshForeign: 'other-host.42~fresh' };
    for (const name of [...Object.values(leftovers), ...Object.values(kept)]) {
      await mkdir(join(staging, name));
      await writeFile(join(staging, name, 'content'), 'trunc');
    }
    const longAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(staging, leftovers.oldForeign), longAgo, longAgo);

    await new DiskImageStorage(root).checkReady();

    expect((await readdir(staging)).sort()).toEqual(Object.values(kept).sort());
    await rm(root, { recursive: true, force: true });
  });

  it('sees images another process added or removed in the same directory', async () => {
    const root = await tempRoot();
    const [mine, theirs] = [new DiskImageStorage(root), new DiskImageStorage(root)];
    const first = sampleImage();
    await mine.put(first.record, chunked(first.bytes));
    expect((await mine.list({ limit: 5 })).items).toEqual([first.record]);

    const second = sampleImage();
    await theirs.put(second.record, chunked(second.bytes));
    expect((await mine.list({ limit: 5 })).items).toEqual([first.record, second.record]);
    await theirs.delete(first.record.id);
    expect((await mine.list({ limit: 5 })).items).toEqual([second.record]);
    await rm(root, { recursive: true, force: true });
  });

  it('fails at once, instead of spinning, on a directory the OS can never create (/proc)', async () => {
    const storage = new DiskImageStorage('/proc/imagestore-nope/images');
    await expect(storage.checkReady()).rejects.toMatchObject({ code: 'ENOENT' });
  }, 5000);

  it('fsyncs the root directory after the rename that makes an image visible', async (context) => {
    if (!hasCommand('strace')) return context.skip('needs strace');
    const root = await tempRoot();
    const script = await bundleChild();
    const { stderr } = await run('strace', ['-f', '-e', 'trace=openat,fsync,rename', 'node', script, root, '1', '0']);
    const lines = stderr.split('\n');
    const renameAt = lines.findLastIndex((line) => /rename\(".*\.tmp\/[^"]+", "[^"]+\/[0-9a-f-]{36}"\)/.test(line));
    expect(renameAt).toBeGreaterThan(0);
    const rootOpened = lines.slice(renameAt).find((line) => line.includes(`openat(AT_FDCWD, "${root}", O_RDONLY`));
    const fd = /= (\d+)$/.exec(rootOpened ?? '')?.[1];
    expect(fd).toBeDefined();
    expect(lines.slice(renameAt).some((line) => new RegExp(`fsync\\(${fd}\\)\\s+= 0`).test(line))).toBe(true);
    await rm(root, { recursive: true, force: true });
  });
});

describe('disk limits', () => {
  let child: string;
  beforeAll(async () => {
    child = await bundleChild();
  });

  it('lists concurrently under ulimit -n 64 with bounded reads, and answers EMFILE as unavailable', async () => {
    const root = await tempRoot();
    const { stdout } = await run('bash', ['-c', `ulimit -n 64 && exec node "${child}" "${root}" 150 4`]);
    const result = JSON.parse(stdout) as {
      listed: unknown[];
      exhausted: Record<string, string>;
      recovered: number;
    };

    expect(result.listed).toEqual([100, 100, 100, 100]);
    for (const outcome of Object.values(result.exhausted)) {
      expect(outcome).toMatch(/^StorageUnavailableError disk \w+( \w+)? failed \((EMFILE|ENFILE)\)$/);
    }
    expect(result.recovered).toBe(5);
    await rm(root, { recursive: true, force: true });
  }, 60_000);

  it.each(['EMFILE', 'ENFILE', 'ENOSPC', 'EDQUOT', 'EIO', 'EROFS'])(
    'maps %s to StorageUnavailableError',
    async (code) => {
      const failure = Object.assign(new Error(`${code}: failed`), { code });
      expect(isDiskUnavailable(failure)).toBe(true);
      await expect(onDisk('write', () => Promise.reject(failure))).rejects.toBeInstanceOf(StorageUnavailableError);
    },
  );

  it.each(['ENOENT', 'EEXIST', 'EACCES'])('leaves %s as it is', async (code) => {
    const failure = Object.assign(new Error(code), { code });
    await expect(onDisk('write', () => Promise.reject(failure))).rejects.toBe(failure);
  });

  describe('on a real small file system (tmpfs; needs root)', () => {
    let fs: Tmpfs;
    let mountPoint: string;
    let mounted: boolean;
    beforeAll(() => {
      fs = mountTmpfs('disk-spec', 256);
      ({ path: mountPoint, mounted } = fs);
    });
    afterAll(() => fs.unmount());

    it('answers a full disk (ENOSPC) as unavailable, leaves nothing behind, and is not ready', async (context) => {
      if (!mounted) return context.skip('cannot mount a tmpfs here (not root?)');
      const storage = new DiskImageStorage(join(mountPoint, 'full'));
      await storage.checkReady();
      const { record, bytes } = sampleImage({ size: 400 * 1024 });

      const error = await storage.put(record, chunked(bytes)).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toContain('ENOSPC');
      expect(await readdir(join(mountPoint, 'full', '.tmp'))).toEqual([]);
      expect((await storage.list({ limit: 5 })).items).toEqual([]);
      const filler = join(mountPoint, 'filler');
      await writeFile(filler, Buffer.alloc(400 * 1024)).catch(() => undefined);
      await expect(storage.checkReady()).rejects.toThrow(/ENOSPC/);
      await rm(filler, { force: true });
      await expect(storage.checkReady()).resolves.toBeUndefined();
      await rm(join(mountPoint, 'full'), { recursive: true, force: true });
    });

    it('answers a read-only file system (EROFS) as unavailable and is not ready', async (context) => {
      if (!mounted) return context.skip('cannot mount a tmpfs here (not root?)');
      const storage = new DiskImageStorage(join(mountPoint, 'ro'));
      const { record, bytes } = sampleImage();
      await storage.put(record, chunked(bytes));
      fs.readOnly(true);
      try {
        const second = sampleImage();
        await expect(storage.put(second.record, chunked(second.bytes))).rejects.toThrow(/EROFS/);
        await expect(storage.checkReady()).rejects.toBeInstanceOf(StorageUnavailableError);
        // Reads still work.
        expect(await storage.head(record.id)).toEqual(record);
      } finally {
        fs.readOnly(false);
      }
    });
  });
});

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let bundled: Promise<string> | undefined;
/** The child script as one plain JavaScript file, so it runs under `node` alone with its own limits. */
function bundleChild(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(await mkdtemp(join(tmpdir(), 'imagestore-child-')), 'disk-storage.child.cjs');
    await build({
      entryPoints: [join(__dirname, '../../test/disk-storage.child.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile,
      logLevel: 'silent',
    });
    return outfile;
  })();
  return bundled;
}
