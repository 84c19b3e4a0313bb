import cliProgress from 'cli-progress';
import type { FileToUpload, UploadFailure } from './bulk-upload.ts';
import type { Image } from '../client.ts';

export interface UploadProgressView {
  fileProgress(delta: number): void;
  fileDone(file: FileToUpload, outcome: { image: Image } | { failure: UploadFailure }): void;
  stop(): void;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A bar (files, bytes, rate, ETA) when stderr is a terminal; otherwise one plain line per finished file. */
export function uploadProgressView(
  files: readonly FileToUpload[],
  out: { tty: boolean; quiet: boolean; write: (line: string) => void },
): UploadProgressView {
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const startedAt = Date.now();
  let filesDone = 0;
  let bytesDone = 0;
  if (!out.tty) {
    return {
      fileProgress: (delta) => void (bytesDone += delta),
      fileDone(file, outcome) {
        filesDone++;
        if (out.quiet) return;
        const where = `[${filesDone}/${files.length}]`;
        out.write(
          'image' in outcome
            ? `${where} ok ${file.path} → ${outcome.image.id}`
            : `${where} failed ${file.path}: ${outcome.failure.code ?? outcome.failure.status ?? 'error'}`,
        );
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar({
    format: '{bar} {files}/{totalFiles} files | {done}/{all} | {rate}/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
  });
  const payload = () => {
    const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001);
    return {
      files: filesDone,
      totalFiles: files.length,
      done: mib(bytesDone),
      all: mib(totalBytes),
      rate: mib(bytesDone / seconds),
    };
  };
  bar.start(totalBytes, 0, payload());
  return {
    fileProgress(delta) {
      bytesDone += delta;
      bar.update(bytesDone, payload());
    },
    fileDone() {
      filesDone++;
      bar.update(bytesDone, payload());
    },
    stop: () => bar.stop(),
  };
}
