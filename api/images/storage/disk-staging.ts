import { randomUUID } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Staging of another machine (or container) sharing the directory is only removed once it is this old. */
const STALE_FOREIGN_STAGING_MS = 60 * 60 * 1000;
const TRASH_PREFIX = 'deleted~';

/**
 * The disk adapter's work directory: staging (a write in progress) and trash (a delete in progress). Entries are
 * named after their owner (`<host>.<pid>~…`), so a sweep can tell a dead process's leftovers from a live one's.
 */
export class DiskStaging {
  private readonly owner = `${hostname()}.${process.pid}`;

  constructor(readonly dir: string) {}

  /** A fresh path for a write in progress. */
  stagingPath(): string {
    return join(this.dir, `${this.owner}~${randomUUID()}`);
  }

  /** A fresh path to rename something into before removing it. */
  trashPath(): string {
    return join(this.dir, `${TRASH_PREFIX}${randomUUID()}`);
  }

  /**
   * Trash always goes. Staging of a process of this machine goes once that process is gone; at start-up that
   * includes our own pid, which only a dead predecessor can have used (containers reuse pid 1). Staging of
   * other machines, or in a format we cannot read, goes once it is old.
   */
  async sweep(atStartUp: boolean): Promise<void> {
    const now = Date.now();
    for (const entry of await readdir(this.dir)) {
      const path = join(this.dir, entry);
      if (!entry.startsWith(TRASH_PREFIX) && !isAbandoned(entry, atStartUp)) {
        const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: now }));
        if (now - mtimeMs <= STALE_FOREIGN_STAGING_MS) continue;
      }
      await rm(path, { recursive: true, force: true });
    }
  }
}

function isAbandoned(entry: string, atStartUp: boolean): boolean {
  const owner = entry.slice(0, entry.indexOf('~'));
  const dot = owner.lastIndexOf('.');
  if (dot < 0 || owner.slice(0, dot) !== hostname()) return false;
  const pid = Number(owner.slice(dot + 1));
  if (pid === process.pid) return atStartUp;
  return !isRunning(pid);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
