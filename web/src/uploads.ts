// The upload queue: a few files at a time, bytes-sent progress, 503 + Retry-After retried, per-file errors.
import { ApiError, type ImagesApi, type Progress } from './api';
import type { Image } from './api-types';

export type UploadState = 'queued' | 'uploading' | 'waiting' | 'done' | 'failed';

export interface Upload {
  readonly key: number;
  readonly file: File;
  state: UploadState;
  loaded: number;
  total: number;
  /** Set while waiting out a 503's Retry-After. */
  retryAt?: number;
  error?: string;
  image?: Image;
}

export interface UploadQueueOptions {
  readonly concurrency: number;
  /** Files above this go through the direct-upload flow (S3); null when the server has no direct uploads. */
  readonly directAboveBytes: number | null;
  readonly maxUploadBytes: number;
  readonly busyRetries: number;
  readonly maxRetryDelaySeconds: number;
}

export const DEFAULT_QUEUE_OPTIONS: UploadQueueOptions = {
  concurrency: 3,
  directAboveBytes: null,
  maxUploadBytes: Number.POSITIVE_INFINITY,
  busyRetries: 3,
  maxRetryDelaySeconds: 30,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class UploadQueue {
  readonly uploads: Upload[] = [];
  private running = 0;
  private nextKey = 1;

  constructor(
    private readonly api: ImagesApi,
    private readonly options: UploadQueueOptions,
    private readonly onChange: (upload: Upload) => void,
  ) {}

  add(files: Iterable<File>): void {
    for (const file of files) {
      this.uploads.push({ key: this.nextKey++, file, state: 'queued', loaded: 0, total: file.size });
    }
    this.pump();
  }

  retry(upload: Upload): void {
    if (upload.state !== 'failed') return;
    Object.assign(upload, { state: 'queued', loaded: 0, error: undefined, retryAt: undefined });
    this.onChange(upload);
    this.pump();
  }

  /** Forgets finished uploads (done or failed), keeping the ones still on their way. */
  clearFinished(): void {
    const keep = this.uploads.filter((upload) => upload.state !== 'done' && upload.state !== 'failed');
    this.uploads.splice(0, this.uploads.length, ...keep);
  }

  get active(): number {
    return this.uploads.filter((upload) => ['queued', 'uploading', 'waiting'].includes(upload.state)).length;
  }

  private pump(): void {
    while (this.running < this.options.concurrency) {
      const next = this.uploads.find((upload) => upload.state === 'queued');
      if (!next) return;
      this.running++;
      next.state = 'uploading';
      this.onChange(next);
      void this.run(next).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(upload: Upload): Promise<void> {
    const onProgress = ({ loaded, total }: Progress) => {
      upload.loaded = loaded;
      upload.total = total;
      this.onChange(upload);
    };
    for (let attempt = 0; ; attempt++) {
      try {
        upload.image = await this.send(upload.file, onProgress);
        upload.state = 'done';
        upload.loaded = upload.total;
        this.onChange(upload);
        return;
      } catch (error) {
        const busy = error instanceof ApiError && error.status === 503;
        if (busy && attempt < this.options.busyRetries) {
          const seconds = Math.min(error.retryAfterSeconds ?? 2 ** attempt, this.options.maxRetryDelaySeconds);
          Object.assign(upload, { state: 'waiting', loaded: 0, retryAt: Date.now() + seconds * 1000 });
          this.onChange(upload);
          await sleep(seconds * 1000);
          Object.assign(upload, { state: 'uploading', retryAt: undefined });
          this.onChange(upload);
          continue;
        }
        Object.assign(upload, { state: 'failed', error: messageOf(error), retryAt: undefined });
        this.onChange(upload);
        return;
      }
    }
  }

  private send(file: File, onProgress: (progress: Progress) => void): Promise<Image> {
    const { directAboveBytes, maxUploadBytes } = this.options;
    if (directAboveBytes !== null && file.size > directAboveBytes) return this.api.directUpload(file, onProgress);
    if (file.size > maxUploadBytes) {
      // Refused before sending a byte: the server would answer 413 after reading the whole body.
      return Promise.reject(
        new ApiError(413, 'PAYLOAD_TOO_LARGE', `The file is larger than the ${formatBytes(maxUploadBytes)} limit.`),
      );
    }
    return this.api.upload(file, onProgress);
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
