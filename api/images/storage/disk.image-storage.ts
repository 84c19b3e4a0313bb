import { createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import { IMAGE_ID_PATTERN, type ImageRecord } from '../image-record';
import {
  ImageStorage,
  type ByteRange,
  type IdempotencyRecord,
  type ImagePage,
  type ListImagesQuery,
  type OpenedImage,
  type StoredIdempotencyKey,
  type SweepReport,
} from '../image-storage';
import { onDisk } from './disk-errors';
import { ensureDirectory, syncDirectory } from './disk-directories';
import { SortedIds } from './sorted-ids';

const CONTENT_FILE = 'content';
const METADATA_FILE = 'metadata.json';
/** Staging and trash; a dot-directory, so it can never be mistaken for an image id. */
const WORK_DIR = '.tmp';
const KEYS_DIR = '.idempotency-keys';
/** Where images lived before they moved to the root; moved on start-up. */
const LEGACY_IMAGES_DIR = 'images';
/** Staging of another machine (or container) sharing the directory is only removed once it is this old. */
const STALE_FOREIGN_STAGING_MS = 60 * 60 * 1000;
/** Metadata files open at once, across all concurrent listings: a busy list must not exhaust descriptors. */
const METADATA_READS_IN_PARALLEL = 16;
const KEYS_PER_SWEEP = 1000;
const RACY_MTIME_WINDOW_NS = 2_000_000_000n;
const TRASH_PREFIX = 'deleted~';
const GENERATION_PATTERN = /^\d{8}\.json$/;
const DEFAULT_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface DiskImageStorageOptions {
  /** How long an idempotency key lives; the sweep removes older ones. */
  readonly idempotencyKeyTtlMs?: number;
}

/**
 * Local-disk adapter: one directory per image, `<root>/<id>/`, holding the bytes and their metadata. A write
 * builds the whole directory under `.tmp/` and renames it into place (then fsyncs the root), so an image
 * appears complete or not at all and survives a power loss once acknowledged.
 *
 * Staging entries are named after their owner (`<host>.<pid>~…`). Start-up removes at once what a dead process
 * of this machine left (a crash, a `kill -9`), and another machine's only after an hour: several processes may
 * share one directory (e.g. a volume mounted into two containers), and one must not delete a write the other
 * is still making.
 *
 * Listing pages through a sorted in-memory index of ids, rebuilt only when the root directory's mtime shows that
 * something (this process or another) added or removed an image; metadata is read a bounded number at a time.
 */
export class DiskImageStorage extends ImageStorage {
  readonly maxPutMs = 60_000;
  private readonly root: string;
  private readonly workDir: string;
  private readonly keysDir: string;
  private readonly owner = `${hostname()}.${process.pid}`;
  private readonly metadataReads = pLimit(METADATA_READS_IN_PARALLEL);
  private readonly index = new SortedIds();
  private indexedMtimeNs?: bigint;
  private indexing?: Promise<void>;
  private prepared?: Promise<void>;

  private readonly keyTtlMs: number;

  constructor(rootDir: string, options: DiskImageStorageOptions = {}) {
    super();
    this.root = resolve(rootDir);
    this.keyTtlMs = options.idempotencyKeyTtlMs ?? DEFAULT_KEY_TTL_MS;
    this.workDir = join(this.root, WORK_DIR);
    this.keysDir = join(this.root, KEYS_DIR);
  }

  async put(record: ImageRecord, body: Readable): Promise<void> {
    await this.prepare();
    const staging = this.stagingPath();
    try {
      await onDisk('write', async () => {
        await mkdir(staging).catch(async (error: unknown) => {
          if (!isMissing(error)) throw error;
          // Someone removed the directory while we were running: recreate it, as start-up would.
          await this.ensureLayout();
          await mkdir(staging);
        });
        await pipeline(body, createWriteStream(join(staging, CONTENT_FILE), { flags: 'wx', flush: true }));
        await writeFile(join(staging, METADATA_FILE), JSON.stringify(record), { flag: 'wx', flush: true });
        await rename(staging, this.pathOf(record.id));
        await syncDirectory(this.root);
      });
    } catch (error) {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
    this.index.add(record.id);
  }

  async head(id: string): Promise<ImageRecord | undefined> {
    return IMAGE_ID_PATTERN.test(id) ? this.readRecord(id) : undefined;
  }

  async open(id: string): Promise<OpenedImage | undefined> {
    if (!IMAGE_ID_PATTERN.test(id)) return undefined;
    const record = await this.readRecord(id);
    if (!record) return undefined;
    const body = await this.openContent(id);
    return body && { record, body };
  }

  async openBytes(id: string, range?: ByteRange): Promise<Readable | undefined> {
    return IMAGE_ID_PATTERN.test(id) ? this.openContent(id, range) : undefined;
  }

  private async readRecord(id: string): Promise<ImageRecord | undefined> {
    try {
      return await onDisk('read', async () => JSON.parse(await readFile(join(this.pathOf(id), METADATA_FILE), 'utf8')));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private async openContent(id: string, range?: ByteRange): Promise<Readable | undefined> {
    try {
      // The open handle keeps the bytes readable even if the image is deleted while streaming; the stream closes
      // it when it ends or is destroyed.
      const handle = await onDisk('open', () => open(join(this.pathOf(id), CONTENT_FILE), 'r'));
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * The rename into the trash is the delete: of two concurrent deletes of one id exactly one rename succeeds, so
   * one caller gets `true` and the other `false`, in this process or another.
   */
  async delete(id: string): Promise<boolean> {
    if (!IMAGE_ID_PATTERN.test(id)) return false;
    await this.prepare();
    const doomed = join(this.workDir, `${TRASH_PREFIX}${randomUUID()}`);
    try {
      await onDisk('delete', () => rename(this.pathOf(id), doomed));
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    this.index.remove(id);
    await syncDirectory(this.root).catch(() => undefined);
    await rm(doomed, { recursive: true, force: true }).catch(() => undefined);
    return true;
  }

  async list({ limit, continuationToken }: ListImagesQuery): Promise<ImagePage> {
    await this.prepare();
    await this.refreshIndex();
    const { ids, hasMore } = this.index.page(continuationToken, limit);
    const records = await Promise.all(ids.map((id) => this.metadataReads(() => this.head(id))));
    const items = records.filter((record): record is ImageRecord => record !== undefined);
    return { items, ...(hasMore ? { continuationToken: ids[ids.length - 1] } : {}) };
  }

  /** Writes, flushes, renames and deletes a file: what every upload needs from the directory. */
  async checkReady(): Promise<void> {
    await this.prepare();
    await onDisk('probe', async () => {
      await this.ensureLayout();
      const probe = this.stagingPath();
      await writeFile(probe, 'probe', { flag: 'wx', flush: true });
      const handle = await open(probe, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(probe, `${probe}.renamed`);
      await unlink(`${probe}.renamed`);
    });
  }

  async findIdempotencyKey(keyHash: string): Promise<StoredIdempotencyKey | undefined> {
    const latest = await this.latestKeyGeneration(keyHash);
    if (!latest) return undefined;
    const record = await onDisk('read key', async () =>
      JSON.parse(await readFile(join(this.keysDir, keyHash, latest), 'utf8')),
    ).catch((error: unknown) => {
      if (isMissing(error)) return undefined; // replaced meanwhile; the caller's claim will then lose
      throw error;
    });
    if (!record) return undefined;
    const image = await this.head((record as IdempotencyRecord).imageId);
    return { record, version: latest, ...(image ? { image } : {}) };
  }

  /**
   * Each record is a new generation file, created with `link`, which fails if the name exists: of several
   * requests claiming (or replacing) a key at once, in one process or many, exactly one wins.
   */
  async claimIdempotencyKey(keyHash: string, record: IdempotencyRecord, replacesVersion?: string): Promise<boolean> {
    await this.prepare();
    const dir = join(this.keysDir, keyHash);
    const generation = replacesVersion === undefined ? 0 : Number.parseInt(replacesVersion, 10) + 1;
    const draft = this.stagingPath();
    try {
      await onDisk('write key', async () => {
        await writeFile(draft, JSON.stringify(record), { flag: 'wx', flush: true });
        await ensureDirectory(dir);
      });
      if (!(await linkIfAbsent(draft, join(dir, generationName(generation))))) return false;
      await syncDirectory(dir).catch(() => undefined);
      if (replacesVersion !== undefined) await rm(join(dir, replacesVersion), { force: true }).catch(() => undefined);
      return true;
    } finally {
      await unlink(draft).catch(() => undefined);
    }
  }

  async releaseIdempotencyKey(keyHash: string): Promise<void> {
    await onDisk('delete key', () => rm(join(this.keysDir, keyHash), { recursive: true, force: true }));
  }

  async sweep(): Promise<SweepReport> {
    await this.prepare();
    await this.sweepStaging(false);
    const now = Date.now();
    let expiredKeys = 0;
    const hashes = (await onDisk('sweep', () => readdir(this.keysDir))).slice(0, KEYS_PER_SWEEP);
    await Promise.all(
      hashes.map((keyHash) =>
        this.metadataReads(async () => {
          const latest = await this.latestKeyGeneration(keyHash);
          const { mtimeMs } = latest
            ? await stat(join(this.keysDir, keyHash, latest)).catch(() => ({ mtimeMs: now }))
            : { mtimeMs: 0 };
          if (now - mtimeMs <= this.keyTtlMs) return;
          await rm(join(this.keysDir, keyHash), { recursive: true, force: true });
          if (latest) expiredKeys += 1;
        }),
      ),
    );
    // Disk writes are never left half-known: the rename either happened or it did not.
    return { abandonedUploads: 0, expiredKeys };
  }

  private async latestKeyGeneration(keyHash: string): Promise<string | undefined> {
    const names = await onDisk('read key', () => readdir(join(this.keysDir, keyHash))).catch((error: unknown) => {
      if (isMissing(error)) return [] as string[];
      throw error;
    });
    return names
      .filter((name) => GENERATION_PATTERN.test(name))
      .sort()
      .pop();
  }

  private pathOf(id: string): string {
    return join(this.root, id);
  }

  private stagingPath(): string {
    return join(this.workDir, `${this.owner}~${randomUUID()}`);
  }

  private async refreshIndex(): Promise<void> {
    const { mtimeNs } = await onDisk('list', () => stat(this.root, { bigint: true }));
    if (mtimeNs === this.indexedMtimeNs) return;
    // One scan at a time; callers arriving meanwhile wait for it rather than start their own.
    this.indexing ??= (async () => {
      const scanStartedNs = BigInt(Date.now()) * 1_000_000n;
      const ids = (await onDisk('list', () => readdir(this.root))).filter((name) => IMAGE_ID_PATTERN.test(name));
      this.index.replaceAll(ids);
      // Directory mtimes tick coarsely (a jiffy; more on network file systems): a change in the same tick as the
      // one we saw would not move it. As git does for a "racily clean" index, trust the mtime only once the scan
      // started well after it; until then every listing scans again.
      this.indexedMtimeNs = scanStartedNs - mtimeNs > RACY_MTIME_WINDOW_NS ? mtimeNs : undefined;
    })().finally(() => (this.indexing = undefined));
    await this.indexing;
  }

  /** Creates the layout once; a failure is not remembered, so the next call tries again. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await onDisk('prepare', () => this.ensureLayout());
      await this.moveLegacyImages();
      await this.sweepStaging(true).catch(() => undefined);
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  private async ensureLayout(): Promise<void> {
    await ensureDirectory(this.root);
    await ensureDirectory(this.workDir);
    await ensureDirectory(this.keysDir);
  }

  /** Earlier versions kept images in `<root>/images/<id>/`. */
  private async moveLegacyImages(): Promise<void> {
    const legacy = join(this.root, LEGACY_IMAGES_DIR);
    const names = await readdir(legacy).catch(() => [] as string[]);
    for (const name of names.filter((entry) => IMAGE_ID_PATTERN.test(entry))) {
      await rename(join(legacy, name), this.pathOf(name)).catch(() => undefined);
    }
    if (names.length > 0) await syncDirectory(this.root).catch(() => undefined);
    await rmdir(legacy).catch(() => undefined);
  }

  /**
   * Trash always goes. Staging of a process of this machine goes once that process is gone; at start-up that
   * includes our own pid, which only a dead predecessor can have used (containers reuse pid 1). Staging of
   * other machines, or in a format we cannot read, goes once it is old.
   */
  private async sweepStaging(atStartUp: boolean): Promise<void> {
    const now = Date.now();
    for (const entry of await readdir(this.workDir)) {
      const path = join(this.workDir, entry);
      if (!entry.startsWith(TRASH_PREFIX) && !this.isAbandoned(entry, atStartUp)) {
        const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: now }));
        if (now - mtimeMs <= STALE_FOREIGN_STAGING_MS) continue;
      }
      await rm(path, { recursive: true, force: true });
    }
  }

  private isAbandoned(entry: string, atStartUp: boolean): boolean {
    const owner = entry.slice(0, entry.indexOf('~'));
    const dot = owner.lastIndexOf('.');
    if (dot < 0 || owner.slice(0, dot) !== hostname()) return false;
    const pid = Number(owner.slice(dot + 1));
    if (pid === process.pid) return atStartUp;
    return !isRunning(pid);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `link` creates the name only if it is free, with the file already complete: an atomic create-if-absent. */
async function linkIfAbsent(source: string, target: string): Promise<boolean> {
  try {
    await onDisk('write key', () => link(source, target));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

const generationName = (generation: number) => `${String(generation).padStart(8, '0')}.json`;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
