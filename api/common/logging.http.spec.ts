import fs from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../test/test-app';

/** pino writes through sonic-boom straight to fd 1; catch those writes to read the log lines. */
function captureStdout(): { lines: () => Record<string, unknown>[]; restore: () => void } {
  let text = '';
  const collect = (data: unknown) => (text += typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
  const spies = [
    vi.spyOn(fs, 'writeSync').mockImplementation((fd: number, data: unknown) => {
      if (fd !== 1) throw new Error('unexpected fd');
      collect(data);
      return Buffer.byteLength(data as string);
    }),
    vi.spyOn(fs, 'write').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
      collect(data);
      const callback = rest.find((arg) => typeof arg === 'function') as (e: null, n: number) => void;
      callback(null, Buffer.byteLength(data as string));
    }) as typeof fs.write),
  ];
  return {
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

describe('request logs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
  });
  afterAll(() => t.close());

  it('logs an expected 503 as one warn line with code and reason, without a stack trace', async () => {
    await rm(t.storageDir, { recursive: true, force: true });
    await writeFile(t.storageDir, 'a file where the storage directory should be');
    const capture = captureStdout();
    let requestId: string;
    try {
      const response = await request(t.server).get('/health');
      expect(response.status).toBe(503);
      requestId = response.headers['x-request-id'];
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      capture.restore();
      await rm(t.storageDir, { force: true });
    }

    const lines = capture.lines().filter((line) => JSON.stringify(line).includes(requestId));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, code: 'STORAGE_UNAVAILABLE', res: { statusCode: 503 } });
    expect(lines[0].reason).toMatch(/image storage does not answer/);
    expect(JSON.stringify(lines[0])).not.toMatch(/stack|"err"/);
  });
});
