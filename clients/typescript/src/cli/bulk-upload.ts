import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { Image, ImagestoreClient } from '../client.ts';
import { ImagestoreError } from '../errors.ts';

export interface FileToUpload {
  readonly path: string;
  readonly size: number;
}

export interface UploadFailure {
  readonly file: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly message: string;
}

export interface BulkUploadReport {
  readonly uploaded: { file: string; image: Image }[];
  readonly failed: UploadFailure[];
  /** Never started because the run was stopped (Ctrl-C). */
  readonly notStarted: string[];
}

export interface BulkUploadEvents {
  onFileProgress?(delta: number): void;
  onFileDone?(file: FileToUpload, outcome: { image: Image } | { failure: UploadFailure }): void;
}

/** Files named on the command line, folders walked recursively (hidden entries skipped), in a stable order. */
export async function collectFiles(inputs: readonly string[]): Promise<FileToUpload[]> {
  const files: FileToUpload[] = [];
  for (const input of inputs) {
    const info = await stat(input);
    if (info.isFile()) {
      files.push({ path: input, size: info.size });
      continue;
    }
    const entries = await readdir(input, { recursive: true, withFileTypes: true });
    const found = entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .filter(
        (file) =>
          !path
            .relative(input, file)
            .split(path.sep)
            .some((part) => part.startsWith('.')),
      )
      .sort();
    for (const file of found) files.push({ path: file, size: (await stat(file)).size });
  }
  return files;
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
};

/**
 * Uploads with at most `concurrency` files in flight. `stop` lets in-flight files finish and starts no more;
 * `signal` aborts the in-flight ones too.
 */
export async function bulkUpload(
  client: ImagestoreClient,
  files: readonly FileToUpload[],
  options: { concurrency: number; stop: AbortSignal; signal: AbortSignal } & BulkUploadEvents,
): Promise<BulkUploadReport> {
  const limit = pLimit(options.concurrency);
  const report: BulkUploadReport = { uploaded: [], failed: [], notStarted: [] };
  const started = new Set<string>();
  const uploadOne = async (file: FileToUpload) => {
    // Stopping leaves the queue to drain without starting anything, so every queued promise still settles.
    if (options.stop.aborted) return;
    started.add(file.path);
    let sent = 0;
    try {
      const image = await client.uploadImage(
        { open: () => createReadStream(file.path), size: file.size },
        {
          filename: path.basename(file.path),
          contentType: CONTENT_TYPES[path.extname(file.path).toLowerCase()] ?? 'application/octet-stream',
          signal: options.signal,
          // A retried upload starts again from byte 0, so progress is counted per attempt.
          onProgress: ({ loaded }) => {
            if (loaded > sent) options.onFileProgress?.(loaded - sent);
            sent = Math.max(sent, loaded);
          },
        },
      );
      report.uploaded.push({ file: file.path, image });
      options.onFileDone?.(file, { image });
    } catch (error) {
      const failure = describeFailure(file.path, error);
      report.failed.push(failure);
      options.onFileDone?.(file, { failure });
    }
  };
  await Promise.allSettled(files.map((file) => limit(() => uploadOne(file))));
  report.notStarted.push(...files.filter((file) => !started.has(file.path)).map((file) => file.path));
  return report;
}

function describeFailure(file: string, error: unknown): UploadFailure {
  if (error instanceof ImagestoreError) {
    return { file, status: error.status, code: error.code, message: error.envelope?.message ?? error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { file, status: undefined, code: undefined, message };
}
