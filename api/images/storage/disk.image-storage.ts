import { mkdir, open, readdir, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import pLimit from 'p-limit';
import { IMAGE_ID_PATTERN, type ImageRecord } from '../image-record';
import {
  ImageStorage,
  type ByteRange,
  type IdempotencyRecord,
  type ImagePage,
  type ListImagesQuery,
  type OpenedImage,
  type OpenedVariant,
  type StoredIdempotencyKey,
  type SweepReport,
} from '../image-storage';
import { isMissing, onDisk } from './disk-errors';
import { openContentStream, wholeOf } from './disk-content-stream';
import { ensureDirectory, syncDirectory } from './disk-directories';
import { DiskIdempotencyKeys } from './disk-idempotency-keys';
import { DiskStaging } from './disk-staging';
import { writeStagedFiles } from './disk-files';
import { DiskVariants } from './disk-variants';
import type { VariantRecord } from '../variants/variant-record';
import { DiskIdIndex } from './disk-id-index';
import { DiskRecords } from './disk-records';
import { RecordCache } from './record-cache';

const CONTENT_FILE = 'content';
const METADATA_FILE = 'metadata.json';
/** Staging and trash; a dot-directory, so it can never be mistaken for an image id. */
const WORK_DIR = '.tmp';
const KEYS_DIR = '.idempotency-keys';
/** Where images lived before they moved to the root; moved on start-up. */
const LEGACY_IMAGES_DIR = 'images';
/** Metadata files open at once, across all concurrent listings: a busy list must not exhaust descriptors. */
const METADATA_READS_IN_PARALLEL = 16;
const DEFAULT_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export interface DiskImageStorageOptions {
  /** How long an idempotency key lives; the sweep removes older ones. */
  readonly idempotencyKeyTtlMs?: number;
  /** Records already read, each checked against a stat of its file before use; off when absent. */
  readonly recordCache?: RecordCache;
  /** The same for variant records (a stored variant's GET reads one). */
  readonly variantRecordCache?: RecordCache<VariantRecord>;
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
 * something (this process or another) added or removed an image; metadata is read a bounded number at a time,
 * through the record cache (disk-records.ts) when it is on.
 */
export class DiskImageStorage extends ImageStorage {
  readonly maxPutMs = 60_000;
  private readonly root: string;
  private readonly staging: DiskStaging;
  private readonly keysDir: string;
  private readonly keys: DiskIdempotencyKeys;
  private readonly variants: DiskVariants;
  private readonly metadataReads = pLimit(METADATA_READS_IN_PARALLEL);
  private readonly index: DiskIdIndex;
  private readonly records: DiskRecords;
  private prepared?: Promise<void>;

  constructor(rootDir: string, options: DiskImageStorageOptions = {}) {
    super();
    this.root = resolve(rootDir);
    this.staging = new DiskStaging(join(this.root, WORK_DIR));
    this.index = new DiskIdIndex(this.root);
    this.records = new DiskRecords(options.recordCache ?? new RecordCache(0));
    this.keysDir = join(this.root, KEYS_DIR);
    this.keys = new DiskIdempotencyKeys(this.keysDir, options.idempotencyKeyTtlMs ?? DEFAULT_KEY_TTL_MS, {
      stagingPath: () => this.staging.stagingPath(),
      headImage: (id) => this.head(id),
      limitReads: (read) => this.metadataReads(read),
    });
    this.variants = new DiskVariants({
      pathOf: (id) => this.pathOf(id),
      stagingPath: () => this.staging.stagingPath(),
      prepare: () => this.prepare(),
      records: new DiskRecords(options.variantRecordCache ?? new RecordCache<VariantRecord>(0)),
    });
  }

  async put(record: ImageRecord, body: Readable): Promise<void> {
    await this.prepare();
    const staging = this.staging.stagingPath();
    try {
      await onDisk('write', async () => {
        await mkdir(staging).catch(async (error: unknown) => {
          if (!isMissing(error)) throw error;
          // Someone removed the directory while we were running: recreate it, as start-up would.
          await this.ensureLayout();
          await mkdir(staging);
        });
        await writeStagedFiles(staging, { content: CONTENT_FILE, metadata: METADATA_FILE }, body, record);
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
    const body = await this.openContent(id, wholeOf(record.size));
    return body && { record, body };
  }

  async openBytes(id: string, range?: ByteRange): Promise<Readable | undefined> {
    return IMAGE_ID_PATTERN.test(id) ? this.openContent(id, range) : undefined;
  }

  private readRecord(id: string): Promise<ImageRecord | undefined> {
    return this.records.read(id, join(this.pathOf(id), METADATA_FILE));
  }

  private openContent(id: string, range?: ByteRange): Promise<Readable | undefined> {
    return openContentStream(join(this.pathOf(id), CONTENT_FILE), range);
  }

  /**
   * The rename into the trash is the delete: of two concurrent deletes of one id exactly one rename succeeds, so
   * one caller gets `true` and the other `false`, in this process or another.
   */
  async delete(id: string): Promise<boolean> {
    if (!IMAGE_ID_PATTERN.test(id)) return false;
    await this.prepare();
    const doomed = this.staging.trashPath();
    try {
      await onDisk('delete', () => rename(this.pathOf(id), doomed));
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    this.index.remove(id);
    this.records.forget(id);
    await syncDirectory(this.root).catch(() => undefined);
    await rm(doomed, { recursive: true, force: true }).catch(() => undefined);
    return true;
  }

  async list({ limit, continuationToken }: ListImagesQuery): Promise<ImagePage> {
    await this.prepare();
    const { ids, hasMore } = await this.index.page(continuationToken, limit);
    const records = await Promise.all(ids.map((id) => this.metadataReads(() => this.head(id))));
    const items = records.filter((record): record is ImageRecord => record !== undefined);
    return { items, ...(hasMore ? { continuationToken: ids[ids.length - 1] } : {}) };
  }

  /** Writes, flushes, renames and deletes a file: what every upload needs from the directory. */
  async checkReady(): Promise<void> {
    await this.prepare();
    await onDisk('probe', async () => {
      await this.ensureLayout();
      const probe = this.staging.stagingPath();
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

  putVariant(imageId: string, record: VariantRecord, body: Readable): Promise<boolean> {
    return this.variants.put(imageId, record, body);
  }

  headVariant(imageId: string, name: string): Promise<VariantRecord | undefined> {
    return this.variants.head(imageId, name);
  }

  openVariant(imageId: string, name: string): Promise<OpenedVariant | undefined> {
    return this.variants.open(imageId, name);
  }

  openVariantBytes(imageId: string, name: string, range?: ByteRange): Promise<Readable | undefined> {
    return this.variants.openBytes(imageId, name, range);
  }

  async findIdempotencyKey(keyHash: string): Promise<StoredIdempotencyKey | undefined> {
    return this.keys.find(keyHash);
  }

  async claimIdempotencyKey(keyHash: string, record: IdempotencyRecord, replacesVersion?: string): Promise<boolean> {
    await this.prepare();
    return this.keys.claim(keyHash, record, replacesVersion);
  }

  releaseIdempotencyKey(keyHash: string): Promise<void> {
    return this.keys.release(keyHash);
  }

  async sweep(): Promise<SweepReport> {
    await this.prepare();
    await this.staging.sweep(false);
    const expiredKeys = await this.keys.sweepExpired(Date.now());
    // Disk writes are never left half-known: the rename either happened or it did not.
    return { abandonedUploads: 0, expiredKeys };
  }

  private pathOf(id: string): string {
    return join(this.root, id);
  }

  /** Creates the layout once; a failure is not remembered, so the next call tries again. */
  private prepare(): Promise<void> {
    this.prepared ??= (async () => {
      await onDisk('prepare', () => this.ensureLayout());
      await this.moveLegacyImages();
      await this.staging.sweep(true).catch(() => undefined);
    })().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  private async ensureLayout(): Promise<void> {
    await ensureDirectory(this.root);
    await ensureDirectory(this.staging.dir);
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
}
