import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { GalleryAssets } from './gallery-assets';

describe(GalleryAssets.name, () => {
  let dir: string;
  let assets: GalleryAssets;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imagestore-gallery-assets-'));
    await writeFile(join(dir, 'index.html'), '<html><head><title>t</title></head></html>');
    assets = new GalleryAssets(loadConfig({ GALLERY_DIR: dir, LOG_LEVEL: 'silent' }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('points the base at the stage, so relative URLs work at /local and /local/ alike', () => {
    const html = assets.page({ basePath: '/local', maxUploadBytes: 1024, directUploadAboveBytes: 1024 });
    expect(html).toContain('<base href="/local/">');
    expect(html).toContain('<meta name="imagestore:direct-upload-above-bytes" content="1024">');
  });

  it('escapes the base path as an attribute', () => {
    const html = assets.page({ basePath: '/a"><script>x</script>', maxUploadBytes: 1024 });
    expect(html).toContain('<base href="/a&quot;&gt;&lt;script&gt;x&lt;/script&gt;/">');
    expect(html).not.toContain('<script>');
  });
});
