import { stat } from 'node:fs/promises';
import type { ImageRecord } from '../image-record';
import { isMissing, onDisk } from './disk-errors';
import { readSmallFile } from './disk-small-file';
import type { RecordCache } from './record-cache';

/**
 * Reads a `metadata.json` (an image's, or a variant's), through a record cache when there is one. The cache saves
 * the read and the parse, never the proof: a stat of the file shows the record is still there (another process
 * sharing the directory may have deleted it) and that it is the file cached (inode, size and mtime), at about a
 * quarter of the CPU of reading it.
 */
export class DiskRecords<T extends object = ImageRecord> {
  constructor(private readonly cache: RecordCache<T>) {}

  /** `key` names the record in the cache: an image's id, or `<id>/<variant name>`. */
  async read(key: string, file: string): Promise<T | undefined> {
    try {
      return await onDisk('read', async () => {
        if (!this.cache.enabled) return JSON.parse(await readSmallFile(file)) as T;
        const version = fileVersion(await stat(file));
        const cached = this.cache.get(key, version);
        if (cached) return cached;
        // Read after the stat: a file replaced in between is cached under the older version, which the next
        // stat no longer matches.
        const record = JSON.parse(await readSmallFile(file)) as T;
        this.cache.set(key, version, record);
        return record;
      });
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.cache.delete(key);
      return undefined;
    }
  }

  /** After a delete: the entry could never be served again, but it would hold its place until evicted. */
  forget(key: string): void {
    this.cache.delete(key);
  }
}

const fileVersion = ({ ino, size, mtimeMs }: { ino: number; size: number; mtimeMs: number }) =>
  `${ino}:${size}:${mtimeMs}`;
