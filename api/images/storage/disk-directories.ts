import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that fails instead of spinning. Node's own `mkdir(path, { recursive: true })` answers ENOENT by
 * creating the parent and trying again; under /proc the parent exists and the child can never be created, so
 * it loops forever at full CPU (an upload with `STORAGE_DIR=/proc/nope` never answered). Here each level is
 * tried at most twice.
 */
export async function ensureDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(path)).isDirectory()) return;
      throw error;
    }
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path) throw error;
    await ensureDirectory(parent);
  }
  try {
    await mkdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Makes a rename or unlink inside `path` durable: without it a power loss can bring back the state before the
 * rename even though the files themselves were flushed.
 */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
