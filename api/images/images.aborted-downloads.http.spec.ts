import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { abortedRequests, eventually, openFilesUnder } from '../test/aborted-requests';
import { imageFixtures } from '../test/image-fixtures';
import { createTestApp, type TestApp } from '../test/test-app';

// Long enough for a busy machine to finish the requests it already took; a handle only GC would close is caught
// by the warning Node prints when it does.
const SETTLE_MS = 10_000;

describe('downloads the client abandons (disk)', () => {
  let t: TestApp;
  let id: string;

  beforeAll(async () => {
    t = await createTestApp();
    id = (
      await request(t.server)
        .post('/images')
        .attach('file', await imageFixtures.noisyJpeg(600, 90), 'a.jpg')
    ).body.id;
  });
  afterAll(() => t.close());

  // Node closes a forgotten FileHandle when it is garbage-collected, and warns: a leak that only GC repairs.
  const gcClosed: string[] = [];
  const onWarning = (warning: Error) => {
    if (/Closing file descriptor/.test(warning.message)) gcClosed.push(warning.message);
  };
  beforeEach(() => void process.on('warning', onWarning));
  afterEach(() => void process.off('warning', onWarning));

  it.each([
    ['a plain GET', ''],
    ['a ranged GET', 'Range: bytes=100-\r\n'],
    ['a conditional GET', 'If-None-Match: "nope"\r\n'],
  ])('closes every file handle after hundreds of aborted downloads (%s)', async (_name, extraHeaders) => {
    const baseline = openFilesUnder(t.storageDir);
    await abortedRequests(t.server, `GET /images/${id}/content HTTP/1.1\r\nHost: x\r\n${extraHeaders}\r\n`, 300);
    // Until the server has finished the requests it already took (see SETTLE_MS).
    const open = await eventually(
      () => openFilesUnder(t.storageDir),
      (n) => n <= baseline,
      SETTLE_MS,
    );
    expect(open).toBeLessThanOrEqual(baseline);
    expect(gcClosed).toEqual([]);
    const honest = await Promise.all(Array.from({ length: 20 }, () => request(t.server).get(`/images/${id}/content`)));
    expect(honest.map((response) => response.status)).toEqual(Array(20).fill(200));
    // A response can reach the client a moment before its stream has closed the file.
    expect(
      await eventually(
        () => openFilesUnder(t.storageDir),
        (n) => n <= baseline,
        SETTLE_MS,
      ),
    ).toBeLessThanOrEqual(baseline);
  });
});
