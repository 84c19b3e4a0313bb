import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  readonly path: string;
  /** False where mounting is not allowed (not root, no CAP_SYS_ADMIN): tests then skip. */
  readonly mounted: boolean;
  readOnly(on: boolean): void;
  unmount(): void;
}

/** A tiny real file system, for tests of a full (ENOSPC) or read-only (EROFS) disk. */
export function mountTmpfs(name: string, sizeKb: number): Tmpfs {
  const path = join(tmpdir(), `imagestore-tmpfs-${name}-${process.pid}`);
  mkdirSync(path, { recursive: true });
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', path], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
  return {
    path,
    mounted,
    readOnly: (on) => execFileSync('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, path]),
    unmount: () => {
      if (mounted) execFileSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
