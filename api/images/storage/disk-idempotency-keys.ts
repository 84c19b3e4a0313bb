import { link, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRecord } from '../image-record';
import type { IdempotencyRecord, StoredIdempotencyKey } from '../image-storage';
import { ensureDirectory, syncDirectory } from './disk-directories';
import { isMissing, onDisk } from './disk-errors';

const KEYS_PER_SWEEP = 1000;
const GENERATION_PATTERN = /^\d{8}\.json$/;

const generationName = (generation: number) => `${String(generation).padStart(8, '0')}.json`;

export interface DiskIdempotencyKeysDeps {
  /** A fresh staging path (drafts are written there, then linked into place). */
  stagingPath(): string;
  headImage(id: string): Promise<ImageRecord | undefined>;
  /** Bounds the files open at once, shared with listing. */
  limitReads<T>(read: () => Promise<T>): Promise<T>;
}

/**
 * Idempotency keys on disk, `<root>/.idempotency-keys/<sha256>/<generation>.json`, visible to every process
 * sharing the directory. Each generation is created with `link`, which fails if the name exists: of several
 * requests claiming (or replacing) a key at once, in one process or many, exactly one wins.
 */
export class DiskIdempotencyKeys {
  constructor(
    private readonly dir: string,
    private readonly ttlMs: number,
    private readonly deps: DiskIdempotencyKeysDeps,
  ) {}

  async find(keyHash: string): Promise<StoredIdempotencyKey | undefined> {
    const latest = await this.latestGeneration(keyHash);
    if (!latest) return undefined;
    const record = await onDisk('read key', async () =>
      JSON.parse(await readFile(join(this.dir, keyHash, latest), 'utf8')),
    ).catch((error: unknown) => {
      if (isMissing(error)) return undefined; // replaced meanwhile; the caller's claim will then lose
      throw error;
    });
    if (!record) return undefined;
    const image = await this.deps.headImage((record as IdempotencyRecord).imageId);
    return { record, version: latest, ...(image ? { image } : {}) };
  }

  async claim(keyHash: string, record: IdempotencyRecord, replacesVersion?: string): Promise<boolean> {
    const dir = join(this.dir, keyHash);
    const generation = replacesVersion === undefined ? 0 : Number.parseInt(replacesVersion, 10) + 1;
    const draft = this.deps.stagingPath();
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

  async release(keyHash: string): Promise<void> {
    await onDisk('delete key', () => rm(join(this.dir, keyHash), { recursive: true, force: true }));
  }

  /** Removes keys older than their time to live, a bounded number per call; returns how many. */
  async sweepExpired(now: number): Promise<number> {
    let expired = 0;
    const hashes = (await onDisk('sweep', () => readdir(this.dir))).slice(0, KEYS_PER_SWEEP);
    await Promise.all(
      hashes.map((keyHash) =>
        this.deps.limitReads(async () => {
          const latest = await this.latestGeneration(keyHash);
          const { mtimeMs } = latest
            ? await stat(join(this.dir, keyHash, latest)).catch(() => ({ mtimeMs: now }))
            : { mtimeMs: 0 };
          if (now - mtimeMs <= this.ttlMs) return;
          await rm(join(this.dir, keyHash), { recursive: true, force: true });
          if (latest) expired += 1;
        }),
      ),
    );
    return expired;
  }

  private async latestGeneration(keyHash: string): Promise<string | undefined> {
    const names = await onDisk('read key', () => readdir(join(this.dir, keyHash))).catch((error: unknown) => {
      if (isMissing(error)) return [] as string[];
      throw error;
    });
    return names
      .filter((name) => GENERATION_PATTERN.test(name))
      .sort()
      .pop();
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
