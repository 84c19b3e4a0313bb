import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes the bytes and the metadata of one object into a fresh staging directory, each flushed to disk (fsync)
 * before this resolves, so the rename that follows publishes only what is durable. The two files are written
 * side by side: their fsyncs overlap instead of adding up. Both writes have settled before it rejects, so the
 * caller can remove the staging directory without racing a write still in flight.
 */
export async function writeStagedFiles(
  staging: string,
  names: { readonly content: string; readonly metadata: string },
  body: Readable,
  metadata: object,
): Promise<void> {
  const results = await Promise.allSettled([
    pipeline(body, createWriteStream(join(staging, names.content), { flags: 'wx', flush: true })),
    writeFile(join(staging, names.metadata), JSON.stringify(metadata), { flag: 'wx', flush: true }),
  ]);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
