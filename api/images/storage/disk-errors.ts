import { StorageUnavailableError } from '../image-storage.errors';

/**
 * Errors of the machine rather than of the request: out of descriptors, space or quota, a failing disk, a file
 * system remounted read-only. They pass (or an operator fixes them), so callers answer 503 with Retry-After
 * instead of a 500 that reads like a bug.
 */
const UNAVAILABLE = new Set(['EMFILE', 'ENFILE', 'ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EAGAIN', 'EBUSY', 'ENOMEM']);

export function isDiskUnavailable(error: unknown): error is NodeJS.ErrnoException {
  return UNAVAILABLE.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** The file or directory is not there (deleted, or never written): an answer, not a failure. */
export const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** Runs one file-system operation and turns an unavailable-disk failure into `StorageUnavailableError`. */
export async function onDisk<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isDiskUnavailable(error)) {
      throw new StorageUnavailableError(`disk ${operation} failed (${error.code})`, 5, { cause: error });
    }
    throw error;
  }
}
