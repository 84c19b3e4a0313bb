import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IMAGE_ID_PATTERN, type ImageRecord } from '../image-record';
import {
  ImageStorage,
  type ByteRange,
  type ImagePage,
  type ListImagesQuery,
  type OpenedImage,
  type OpenedVariant,
} from '../image-storage';
import { VARIANT_NAME_PATTERN, type VariantRecord } from '../variants/variant-record';

const CONTENT_FILE = 'content';
const METADATA_FILE = 'metadata.json';
const STALE_TEMP_MS = 60 * 60 * 1000;
const VARIANTS_DIR = 'variants';

/**
 * Local-disk adapter: one directory per image holding the bytes and their metadata. A write builds the whole
 * directory under `.tmp/` and renames it into place, so an image appears complete or not at all, and a crash
 * or refused upload leaves only a temp directory that start-up sweeps away.
 */
export class DiskImageStorage extends ImageStorage {
  private readonly imagesDir: string;
  private readonly tempDir: string;
  private swept?: Promise<void>;

  constructor(rootDir: string) {
    super();
    const root = resolve(rootDir);
    this.imagesDir = join(root, 'images');
    this.tempDir = join(root, '.tmp');
  }

  async put(record: ImageRecord, body: Readable): Promise<void> {
    await this.prepare();
    const staging = join(this.tempDir, randomUUID());
    try {
      await mkdir(staging);
      await pipeline(body, createWriteStream(join(staging, CONTENT_FILE), { flags: 'wx', flush: true }));
      await writeFile(join(staging, METADATA_FILE), JSON.stringify(record), { flag: 'wx', flush: true });
      await rename(staging, this.pathOf(record.id));
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
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

  private readRecord(id: string): Promise<ImageRecord | undefined> {
    return readJson<ImageRecord>(join(this.pathOf(id), METADATA_FILE));
  }

  private openContent(id: string, range?: ByteRange): Promise<Readable | undefined> {
    return openFile(join(this.pathOf(id), CONTENT_FILE), range);
  }

  async delete(id: string): Promise<boolean> {
    if (!IMAGE_ID_PATTERN.test(id)) return false;
    await this.prepare();
    const doomed = join(this.tempDir, `deleted-${randomUUID()}`);
    try {
      await rename(this.pathOf(id), doomed);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    await rm(doomed, { recursive: true, force: true });
    return true;
  }

  async list({ limit, continuationToken }: ListImagesQuery): Promise<ImagePage> {
    await this.prepare();
    const ids = (await readdir(this.imagesDir))
      .filter((name) => IMAGE_ID_PATTERN.test(name))
      .sort()
      .filter((id) => continuationToken === undefined || id > continuationToken);
    const pageIds = ids.slice(0, limit);
    const records = await Promise.all(pageIds.map((id) => this.head(id)));
    const items = records.filter((record): record is ImageRecord => record !== undefined);
    const hasMore = ids.length > limit;
    return { items, ...(hasMore ? { continuationToken: pageIds[pageIds.length - 1] } : {}) };
  }

  async checkReady(): Promise<void> {
    await this.prepare();
    await access(this.imagesDir, constants.R_OK | constants.W_OK);
  }

  private pathOf(id: string): string {
    return join(this.imagesDir, id);
  }

  /** Cheap enough to run before every write; recreates the layout if someone removed it while running. */
  private async prepare(): Promise<void> {
    await mkdir(this.imagesDir, { recursive: true });
    await mkdir(this.tempDir, { recursive: true });
    this.swept ??= this.sweepStaleTemp().catch(() => undefined);
    await this.swept;
  }

  private async sweepStaleTemp(): Promise<void> {
    const now = Date.now();
    for (const entry of await readdir(this.tempDir)) {
      const path = join(this.tempDir, entry);
      const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: now }));
      if (entry.startsWith('deleted-') || now - mtimeMs > STALE_TEMP_MS) {
        await rm(path, { recursive: true, force: true });
      }
    }
  }

  /**
   * A variant is a directory like an image's (`content` + `metadata.json`) under `<image>/variants/<name>/`, staged
   * and renamed into place. Deleting the image renames its whole directory away, variants included, and the
   * rename into place needs that directory to be where it was: a variant lands inside the image before the
   * delete moves it (and goes with it), or finds no directory and is dropped. No variant outlives its image.
   */
  async putVariant(imageId: string, record: VariantRecord, body: Readable): Promise<boolean> {
    assertVariantAddress(imageId, record.name);
    await this.prepare();
    const staging = join(this.tempDir, randomUUID());
    try {
      await mkdir(staging);
      await pipeline(body, createWriteStream(join(staging, CONTENT_FILE), { flags: 'wx', flush: true }));
      await writeFile(join(staging, METADATA_FILE), JSON.stringify(record), { flag: 'wx', flush: true });
      // Not recursive: the directory of a deleted image must not be brought back to hold its variant.
      await mkdir(join(this.pathOf(imageId), VARIANTS_DIR)).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
      await rename(staging, this.variantPathOf(imageId, record.name));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      // Another writer put the same variant first; same name, same bytes, so that copy stands.
      if (['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) return true;
      throw error;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  async headVariant(imageId: string, name: string): Promise<VariantRecord | undefined> {
    if (!isVariantAddress(imageId, name)) return undefined;
    return readJson<VariantRecord>(join(this.variantPathOf(imageId, name), METADATA_FILE));
  }

  async openVariant(imageId: string, name: string): Promise<OpenedVariant | undefined> {
    const record = await this.headVariant(imageId, name);
    if (!record) return undefined;
    const body = await openFile(join(this.variantPathOf(imageId, name), CONTENT_FILE));
    return body && { record, body };
  }

  async openVariantBytes(imageId: string, name: string, range?: ByteRange): Promise<Readable | undefined> {
    if (!isVariantAddress(imageId, name)) return undefined;
    return openFile(join(this.variantPathOf(imageId, name), CONTENT_FILE), range);
  }

  private variantPathOf(imageId: string, name: string): string {
    return join(this.pathOf(imageId), VARIANTS_DIR, name);
  }
}

const isVariantAddress = (imageId: string, name: string) =>
  IMAGE_ID_PATTERN.test(imageId) && VARIANT_NAME_PATTERN.test(name);

function assertVariantAddress(imageId: string, name: string): void {
  if (!isVariantAddress(imageId, name)) throw new Error(`not a variant address: ${imageId}/${name}`);
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * The open handle keeps the bytes readable even if they are deleted while streaming; the stream closes it when it
 * ends or is destroyed.
 */
async function openFile(path: string, range?: ByteRange): Promise<Readable | undefined> {
  try {
    const handle = await open(path, 'r');
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
