import { LRUCache } from 'lru-cache';
import type { ImageRecord } from '../image-record';

interface CachedRecord<T> {
  readonly version: string;
  readonly record: T;
}

/**
 * Records already read (images', and on disk variants'), at most `maxEntries` of them (least recently used go
 * first; 0 turns it off). Records never change and ids are never reused, but an object can still be deleted, or
 * replaced behind the service's back, by anyone sharing the store: so an entry is only served for the `version` (ETag and time,
 * or inode and mtime) the caller has just seen in the store, which also proves the image still exists. The
 * cache saves the read of the record, never the proof that it is there. See docs/adr/0003.
 */
export class RecordCache<T extends object = ImageRecord> {
  private readonly entries?: LRUCache<string, CachedRecord<T>>;
  hits = 0;
  misses = 0;

  constructor(readonly maxEntries: number) {
    if (maxEntries > 0) this.entries = new LRUCache({ max: maxEntries });
  }

  get enabled(): boolean {
    return this.entries !== undefined;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }

  /** The record cached for exactly this version of the object; an entry for another version is dropped. */
  get(id: string, version: string): T | undefined {
    const cached = this.entries?.get(id);
    if (cached?.version === version) {
      this.hits += 1;
      return cached.record;
    }
    if (cached) this.entries?.delete(id);
    this.misses += 1;
    return undefined;
  }

  /** Frozen: every caller shares the one object, so none may change it for the others. */
  set(id: string, version: string, record: T): void {
    this.entries?.set(id, { version, record: Object.freeze(record) });
  }

  delete(id: string): void {
    this.entries?.delete(id);
  }
}
