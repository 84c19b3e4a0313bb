import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ByteRange, OpenedVariant } from '../image-storage';
import { assertVariantAddress, isVariantAddress, type VariantRecord } from '../variants/variant-record';
import { syncDirectory } from './disk-directories';
import { writeStagedFiles } from './disk-files';
import { isMissing, onDisk } from './disk-errors';
import { openContentStream, wholeOf } from './disk-content-stream';
import type { DiskRecords } from './disk-records';

const CONTENT_FILE = 'content';
const METADATA_FILE = 'metadata.json';
const VARIANTS_DIR = 'variants';

export interface DiskVariantsDeps {
  /** The image's directory. */
  pathOf(imageId: string): string;
  /** A fresh staging path. */
  stagingPath(): string;
  /** The layout exists (staging included). */
  prepare(): Promise<void>;
  /** Variant records, through the cache of them when it is on. */
  readonly records: DiskRecords<VariantRecord>;
}

/**
 * Variants on disk: a directory like an image's (`content` + `metadata.json`) under `<image>/variants/<name>/`,
 * staged and renamed into place. Deleting the image renames its whole directory away, variants included, and the
 * rename into place needs that directory to be where it was: a variant lands inside the image before the delete
 * moves it (and goes with it), or finds no directory and is dropped. No variant outlives its image.
 */
export class DiskVariants {
  constructor(private readonly deps: DiskVariantsDeps) {}

  async put(imageId: string, record: VariantRecord, body: Readable): Promise<boolean> {
    assertVariantAddress(imageId, record.name);
    await this.deps.prepare();
    const staging = this.deps.stagingPath();
    try {
      await onDisk('write', async () => {
        await mkdir(staging);
        await writeStagedFiles(staging, { content: CONTENT_FILE, metadata: METADATA_FILE }, body, record);
      });
      const variantsDir = join(this.deps.pathOf(imageId), VARIANTS_DIR);
      // Not recursive: the directory of a deleted image must not be brought back to hold its variant.
      await mkdir(variantsDir).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
      await rename(staging, this.pathOf(imageId, record.name));
      await syncDirectory(variantsDir).catch(() => undefined);
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

  async head(imageId: string, name: string): Promise<VariantRecord | undefined> {
    if (!isVariantAddress(imageId, name)) return undefined;
    return this.deps.records.read(`${imageId}/${name}`, join(this.pathOf(imageId, name), METADATA_FILE));
  }

  async open(imageId: string, name: string): Promise<OpenedVariant | undefined> {
    const record = await this.head(imageId, name);
    if (!record) return undefined;
    const body = await openContentStream(join(this.pathOf(imageId, name), CONTENT_FILE), wholeOf(record.size));
    return body && { record, body };
  }

  async openBytes(imageId: string, name: string, range?: ByteRange): Promise<Readable | undefined> {
    if (!isVariantAddress(imageId, name)) return undefined;
    return openContentStream(join(this.pathOf(imageId, name), CONTENT_FILE), range);
  }

  private pathOf(imageId: string, name: string): string {
    return join(this.deps.pathOf(imageId), VARIANTS_DIR, name);
  }
}
