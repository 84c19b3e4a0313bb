import { createReadStream, open } from 'node:fs';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { ByteRange } from '../image-storage';
import { isMissing, onDisk } from './disk-errors';

const openDescriptor = promisify(open);

/**
 * Streams the file at `path` (or `range` of it); `undefined` when there is no such file. The descriptor is open
 * before the stream is returned, so a missing file is known before any header is sent, and the bytes stay
 * readable if the image is deleted while streaming; the stream closes it when it ends or is destroyed.
 *
 * A plain descriptor read with callbacks, rather than a FileHandle: on a small image the handle's promise per
 * read and its own close cost more than the read itself. With a range (the caller knows the size, even for a
 * whole file) the stream stops at its end instead of asking the file system for one more, empty read.
 */
export async function openContentStream(path: string, range?: ByteRange): Promise<Readable | undefined> {
  let fd: number;
  try {
    fd = await onDisk('open', () => openDescriptor(path, 'r'));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return createReadStream(path, { fd, ...(range && { start: range.start, end: range.end }) });
}

/** The whole of a representation of `size` bytes, as a range (none for an empty one). */
export const wholeOf = (size: number): ByteRange | undefined => (size > 0 ? { start: 0, end: size - 1 } : undefined);
