import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type ImagesApi, type Progress } from './api';
import type { Image } from './api-types';
import { DEFAULT_QUEUE_OPTIONS, UploadQueue, type UploadQueueOptions } from './uploads';

interface Call {
  readonly via: 'upload' | 'directUpload';
  readonly file: File;
  readonly onProgress: (progress: Progress) => void;
  resolve(image: Image): void;
  reject(error: unknown): void;
}

function fakeApi() {
  const calls: Call[] = [];
  const make = (via: Call['via']) => (file: File, onProgress: (progress: Progress) => void) =>
    new Promise<Image>((resolve, reject) => calls.push({ via, file, onProgress, resolve, reject }));
  return { calls, api: { upload: make('upload'), directUpload: make('directUpload') } as unknown as ImagesApi };
}

const file = (name: string, size = 10) => new File([new Uint8Array(size)], name, { type: 'image/png' });
const image = (id: string) => ({ id }) as Image;
const settle = () => new Promise((resolve) => setImmediate(resolve));

function queueWith(options: Partial<UploadQueueOptions> = {}) {
  const { calls, api } = fakeApi();
  const queue = new UploadQueue(api, { ...DEFAULT_QUEUE_OPTIONS, ...options }, () => undefined);
  return { calls, queue };
}

describe(UploadQueue.name, () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('sends a few at a time and starts the next when one finishes', async () => {
    const { calls, queue } = queueWith({ concurrency: 3 });
    queue.add(['a', 'b', 'c', 'd', 'e'].map((name) => file(name)));
    expect(calls.map((call) => call.file.name)).toEqual(['a', 'b', 'c']);
    expect(queue.uploads.map((upload) => upload.state)).toEqual([
      'uploading',
      'uploading',
      'uploading',
      'queued',
      'queued',
    ]);

    calls[1]!.resolve(image('b'));
    await settle();
    expect(calls.map((call) => call.file.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(queue.uploads[1]).toMatchObject({ state: 'done', image: { id: 'b' } });
  });

  it('reports bytes sent as progress', async () => {
    const { calls, queue } = queueWith();
    queue.add([file('a', 1000)]);
    calls[0]!.onProgress({ loaded: 250, total: 1000 });
    expect(queue.uploads[0]).toMatchObject({ state: 'uploading', loaded: 250, total: 1000 });
  });

  it('waits out a 503 for its Retry-After, then sends again', async () => {
    const { calls, queue } = queueWith();
    queue.add([file('a')]);
    calls[0]!.reject(new ApiError(503, 'SERVER_BUSY', 'busy', 4));
    await settle();
    expect(queue.uploads[0]!.state).toBe('waiting');
    await vi.advanceTimersByTimeAsync(3900);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(image('a'));
    await settle();
    expect(queue.uploads[0]!.state).toBe('done');
  });

  it('gives up after the configured number of 503s, with the API’s message', async () => {
    const { calls, queue } = queueWith({ busyRetries: 1 });
    queue.add([file('a')]);
    calls[0]!.reject(new ApiError(503, 'SERVER_BUSY', 'busy', 1));
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    calls[1]!.reject(new ApiError(503, 'SERVER_BUSY', 'still busy', 1));
    await settle();
    expect(queue.uploads[0]).toMatchObject({ state: 'failed', error: 'still busy' });
  });

  it('shows any other refusal at once, and retries only when asked', async () => {
    const { calls, queue } = queueWith();
    queue.add([file('notes.txt')]);
    calls[0]!.reject(new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Only image/jpeg, … are accepted'));
    await settle();
    expect(queue.uploads[0]).toMatchObject({ state: 'failed', error: 'Only image/jpeg, … are accepted' });
    expect(calls).toHaveLength(1);

    queue.retry(queue.uploads[0]!);
    expect(calls).toHaveLength(2);
    expect(queue.uploads[0]).toMatchObject({ state: 'uploading', error: undefined });
  });

  it('sends files above the limit through the direct-upload flow when the server has one', () => {
    const { calls, queue } = queueWith({ directAboveBytes: 100, maxUploadBytes: 100 });
    queue.add([file('small', 100), file('big', 101)]);
    expect(calls.map((call) => [call.file.name, call.via])).toEqual([
      ['small', 'upload'],
      ['big', 'directUpload'],
    ]);
  });

  it('refuses a file above the limit without sending it when there is no direct upload', async () => {
    const { calls, queue } = queueWith({ directAboveBytes: null, maxUploadBytes: 100 });
    queue.add([file('big', 101)]);
    await settle();
    expect(calls).toHaveLength(0);
    expect(queue.uploads[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/larger than/) });
  });

  it('clears finished uploads and keeps the ones on their way', async () => {
    const { calls, queue } = queueWith({ concurrency: 1 });
    queue.add([file('a'), file('b')]);
    calls[0]!.resolve(image('a'));
    await settle();
    queue.clearFinished();
    expect(queue.uploads.map((upload) => upload.file.name)).toEqual(['b']);
  });
});
