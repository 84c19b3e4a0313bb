import { readdir, stat } from 'node:fs/promises';
import { IMAGE_ID_PATTERN } from '../image-record';
import { onDisk } from './disk-errors';
import { SortedIds } from './sorted-ids';

const RACY_MTIME_WINDOW_NS = 2_000_000_000n;

/**
 * The disk adapter's sorted index of image ids, rebuilt only when the root directory's mtime shows that
 * something (this process or another sharing the directory) added or removed an image.
 */
export class DiskIdIndex {
  private readonly ids = new SortedIds();
  private indexedMtimeNs?: bigint;
  private indexing?: Promise<void>;

  constructor(private readonly root: string) {}

  add(id: string): void {
    this.ids.add(id);
  }

  remove(id: string): void {
    this.ids.remove(id);
  }

  /** Up to `limit` ids after `after`, from an index brought up to date first. */
  async page(after: string | undefined, limit: number): Promise<{ ids: string[]; hasMore: boolean }> {
    await this.refresh();
    return this.ids.page(after, limit);
  }

  private async refresh(): Promise<void> {
    const { mtimeNs } = await onDisk('list', () => stat(this.root, { bigint: true }));
    if (mtimeNs === this.indexedMtimeNs) return;
    // One scan at a time; callers arriving meanwhile wait for it rather than start their own.
    this.indexing ??= (async () => {
      const scanStartedNs = BigInt(Date.now()) * 1_000_000n;
      const ids = (await onDisk('list', () => readdir(this.root))).filter((name) => IMAGE_ID_PATTERN.test(name));
      this.ids.replaceAll(ids);
      // Directory mtimes tick coarsely (a jiffy; more on network file systems): a change in the same tick as the
      // one we saw would not move it. As git does for a "racily clean" index, trust the mtime only once the scan
      // started well after it; until then every listing scans again.
      this.indexedMtimeNs = scanStartedNs - mtimeNs > RACY_MTIME_WINDOW_NS ? mtimeNs : undefined;
    })().finally(() => (this.indexing = undefined));
    await this.indexing;
  }
}
