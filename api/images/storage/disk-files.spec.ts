import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { writeStagedFiles } from './disk-files';

const NAMES = { content: 'content', metadata: 'metadata.json' };
let staging: string;

afterEach(() => rm(staging, { recursive: true, force: true }));

describe(writeStagedFiles.name, () => {
  it('writes the bytes and the metadata side by side', async () => {
    staging = await mkdtemp(join(tmpdir(), 'imagestore-staged-'));
    const bytes = Buffer.from('the image bytes');
    await writeStagedFiles(staging, NAMES, Readable.from([bytes]), { id: 'a', size: bytes.length });
    expect(await readFile(join(staging, 'content'))).toEqual(bytes);
    expect(JSON.parse(await readFile(join(staging, 'metadata.json'), 'utf8'))).toEqual({ id: 'a', size: 15 });
  });

  it('rejects only once the other write has settled, so cleanup cannot race a write in flight', async () => {
    staging = await mkdtemp(join(tmpdir(), 'imagestore-staged-'));
    await writeFile(join(staging, 'metadata.json'), 'left by someone else');
    async function* slowBody() {
      for (let chunk = 0; chunk < 5; chunk++) {
        await setTimeout(20);
        yield Buffer.from(`chunk ${chunk};`);
      }
    }
    await expect(writeStagedFiles(staging, NAMES, Readable.from(slowBody()), { id: 'b' })).rejects.toThrow(/EEXIST/);
    expect(await readFile(join(staging, 'content'), 'utf8')).toBe('chunk 0;chunk 1;chunk 2;chunk 3;chunk 4;');
  });

  it('refuses to overwrite a file already in the staging directory', async () => {
    staging = await mkdtemp(join(tmpdir(), 'imagestore-staged-'));
    await writeStagedFiles(staging, NAMES, Readable.from([Buffer.from('first')]), { n: 1 });
    await expect(writeStagedFiles(staging, NAMES, Readable.from([Buffer.from('second')]), { n: 2 })).rejects.toThrow(
      /EEXIST/,
    );
    expect((await readdir(staging)).sort()).toEqual(['content', 'metadata.json']);
    expect(await readFile(join(staging, 'content'), 'utf8')).toBe('first');
  });
});
