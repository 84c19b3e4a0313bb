import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/test-app';

const INDEX =
  '<!doctype html><html><head><title>t</title><script type="module" src="./assets/app-1a2b.js"></script></head><body></body></html>';
const SCRIPT = 'console.log("gallery");';

function directivesOf(policy: string | undefined): Map<string, string[]> {
  return new Map(
    (policy ?? '')
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((tokens) => tokens[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('The web gallery at /', () => {
  let t: TestApp;
  let galleryDir: string;

  beforeAll(async () => {
    galleryDir = await mkdtemp(join(tmpdir(), 'imagestore-gallery-'));
    await mkdir(join(galleryDir, 'assets'));
    await writeFile(join(galleryDir, 'index.html'), INDEX);
    await writeFile(join(galleryDir, 'assets', 'app-1a2b.js'), SCRIPT);
    t = await createTestApp({ GALLERY_DIR: galleryDir, MAX_UPLOAD_BYTES: '2097152' });
  });
  afterAll(async () => {
    await t.close();
    await rm(galleryDir, { recursive: true, force: true });
  });

  it('serves the page with a base for its relative URLs and the upload limit, never cached stale', async () => {
    const response = await request(t.server).get('/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.text).toContain('<head><base href="/"><meta name="imagestore:max-upload-bytes" content="2097152">');
    // Disk storage has no direct uploads.
    expect(response.text).not.toContain('direct-upload-above-bytes');
  });

  it('sets a strict CSP on the page: own scripts and styles only, no inline code, no data: or blob: images', async () => {
    const response = await request(t.server).get('/');
    const policy = directivesOf(response.headers['content-security-policy']);
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('img-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(response.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|data:|blob:/);
  });

  it('serves the built files from assets/ as immutable, and only those', async () => {
    const script = await request(t.server).get('/assets/app-1a2b.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.text).toBe(SCRIPT);

    for (const path of ['/assets/missing.js', '/assets/..%2Findex.html', '/assets/.hidden']) {
      const missing = await request(t.server).get(path);
      expect(missing.status, path).toBe(404);
      expect(missing.body, path).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND' });
    }
  });

  it('keeps the API, the 405 envelope and Swagger UI’s own policy intact', async () => {
    const wrongMethod = await request(t.server).post('/');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    expect(wrongMethod.body).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });

    expect((await request(t.server).get('/images')).status).toBe(200);
    expect((await request(t.server).get('/nope')).body).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    const docs = await request(t.server).get('/docs/');
    expect(docs.status).toBe(200);
    expect(directivesOf(docs.headers['content-security-policy']).get('img-src')).toContain('data:');
  });
});

describe('The web gallery, not built', () => {
  let t: TestApp;
  let emptyDir: string;

  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), 'imagestore-no-gallery-'));
    t = await createTestApp({ GALLERY_DIR: emptyDir });
  });
  afterAll(async () => {
    await t.close();
    await rm(emptyDir, { recursive: true, force: true });
  });

  it('answers 404 in the envelope, saying how to build it', async () => {
    const response = await request(t.server).get('/');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'ROUTE_NOT_FOUND', message: expect.stringContaining('build:web') });
  });
});
