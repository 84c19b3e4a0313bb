import { afterEach, describe, expect, it, vi } from 'vitest';
import { createImagestoreClient } from './client.ts';
import { ImagestoreError } from './errors.ts';
import { fetchWithRetry, retryAfterMs } from './retry.ts';

const busy = (retryAfter: string) =>
  Response.json(
    { statusCode: 503, error: 'Service Unavailable', code: 'SERVER_BUSY', message: 'busy', requestId: 'r-12345678' },
    { status: 503, headers: { 'retry-after': retryAfter } },
  );

afterEach(() => vi.useRealTimers());

describe(retryAfterMs.name, () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Sat, 28 Nov 2026 09:30:10 GMT', Date.parse('2026-11-28T09:30:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe(fetchWithRetry.name, () => {
  it('waits as long as Retry-After says before the next attempt', async () => {
    vi.useFakeTimers();
    const answers = [busy('2'), new Response('stored', { status: 201 })];
    const fetchImpl = vi.fn(async () => answers.shift()!);
    const result = fetchWithRetry(() => new Request('http://api.test/images'), {}, fetchImpl);
    await vi.advanceTimersByTimeAsync(1999);
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await result).status).toBe(201);
    expect(fetchImpl).toHaveBeenCalledTimes(2);
  });

  it('gives up after the allowed retries and answers the last 503', async () => {
    const fetchImpl = vi.fn(async () => busy('0'));
    const response = await fetchWithRetry(() => new Request('http://api.test/'), { retries: 2 }, fetchImpl);
    expect(response.status).toBe(503);
    expect(fetchImpl).toHaveBeenCalledTimes(3);
  });
});

describe('uploadImage retry and errors', () => {
  it('sends the whole multipart body again after a 503, then surfaces a refusal as ImagestoreError with its code', async () => {
    const bodies: string[] = [];
    const answers = [
      busy('0'),
      Response.json(
        {
          statusCode: 415,
          error: 'Unsupported Media Type',
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'no',
          requestId: 'r-87654321',
        },
        { status: 415 },
      ),
    ];
    const client = createImagestoreClient({
      baseUrl: 'http://api.test/',
      fetch: async (request) => {
        bodies.push(await request.text());
        return answers.shift()!;
      },
    });
    const error = await client
      .uploadImage(new TextEncoder().encode('not an image'), { filename: 'a.png' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ImagestoreError);
    expect(error).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', requestId: 'r-87654321' });
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toBe(
      bodies[0]!.replace(/----imagestore[0-9a-f]+/g, bodies[1]!.match(/----imagestore[0-9a-f]+/)![0]),
    );
    expect(bodies[1]).toContain('filename="a.png"\r\nContent-Type: application/octet-stream\r\n\r\nnot an image\r\n');
  });
});
