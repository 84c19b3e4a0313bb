import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import { openContentStream, wholeOf } from './disk-content-stream';
import { readSmallFile } from './disk-small-file';

const dir = mkdtempSync(join(tmpdir(), 'imagestore-disk-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe(readSmallFile.name, () => {
  it('reads a small file whole', async () => {
    expect(await readSmallFile(file('small.json', '{"a":1}'))).toBe('{"a":1}');
  });

  it('reads a file larger than one chunk, multi-byte characters across the chunk edges included', async () => {
    const content = 'é€😀'.repeat(10_000) + 'end';
    expect(await readSmallFile(file('large.json', content))).toBe(content);
  });

  it('reads an empty file, and fails with ENOENT for a missing one', async () => {
    expect(await readSmallFile(file('empty.json', ''))).toBe('');
    await expect(readSmallFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe(openContentStream.name, () => {
  it('streams the whole file, or exactly the range asked for', async () => {
    const path = file('content', '0123456789');
    expect(await text((await openContentStream(path))!)).toBe('0123456789');
    expect(await text((await openContentStream(path, wholeOf(10)))!)).toBe('0123456789');
    expect(await text((await openContentStream(path, { start: 2, end: 4 }))!)).toBe('234');
  });

  it('answers undefined for a missing file, before any stream exists', async () => {
    expect(await openContentStream(join(dir, 'nothing'))).toBeUndefined();
  });

  it('keeps streaming the bytes of a file deleted after it was opened', async () => {
    const path = file('doomed', 'still here');
    const body = (await openContentStream(path, wholeOf(10)))!;
    unlinkSync(path);
    expect(await text(body)).toBe('still here');
  });

  it('has no range for an empty representation', () => {
    expect(wholeOf(0)).toBeUndefined();
    expect(wholeOf(3)).toEqual({ start: 0, end: 2 });
  });
});
