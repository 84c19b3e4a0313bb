import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiGatewayResult } from './api-gateway-event-source';
import { httpApiEvent, lambdaContext, restApiEvent, type HttpRequestInput } from '../dev/api-gateway-events';
import { bodyOf, headersOf, statusOf } from './result';
import { eventually, openFilesUnder } from '../test/aborted-requests';

type Handler = (typeof import('./handler'))['handler'];

const MAX_UPLOAD_BYTES = 256 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let handler: Handler;
let storageDir: string;
let jpeg: Buffer;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
  readonly result: ApiGatewayResult;
  header(name: string): string | undefined;
  json<T = Record<string, unknown>>(): T;
}

async function invoke(
  request: HttpRequestInput,
  via: { api: 'rest'; stage: string } | { api: 'http'; stage?: string } = { api: 'rest', stage: 'dev' },
): Promise<Answer> {
  const event = via.api === 'rest' ? restApiEvent(request, via.stage) : httpApiEvent(request, via.stage);
  // A JSON round trip, as the Lambda runtime does: the handler must not depend on object identity.
  const result = await handler(JSON.parse(JSON.stringify(event)), lambdaContext() as never);
  const headers = headersOf(result);
  return {
    status: statusOf(result),
    headers,
    body: bodyOf(result),
    result,
    header: (name) => headers[name.toLowerCase()]?.join(', '),
    json: <T>() => JSON.parse(bodyOf(result).toString('utf8')) as T,
  };
}

async function multipart(bytes: Buffer, type = 'image/jpeg', filename = 'photo.jpg') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
  };
}

async function upload(path: string, bytes: Buffer, via?: Parameters<typeof invoke>[1], type?: string) {
  const { body, headers } = await multipart(bytes, type);
  return invoke({ method: 'POST', path, headers: { ...headers, 'content-length': String(body.length) }, body }, via);
}

function expectEnvelope(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.body.toString()).toBe(status);
  expect(answer.header('content-type')).toMatch(/^application\/json/);
  expect((answer.result as { isBase64Encoded?: boolean }).isBase64Encoded).toBe(false);
  expect(answer.json()).toMatchObject({ statusCode: status, code, requestId: answer.header('x-request-id') });
}

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'imagestore-lambda-'));
  Object.assign(process.env, {
    LOG_LEVEL: 'silent',
    STORAGE_DRIVER: 'disk',
    STORAGE_DIR: storageDir,
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    // Stored bytes = uploaded bytes, so a download's hash proves the base64 round trip was lossless.
    STRIP_METADATA: 'false',
  });
  ({ handler } = await import('./handler.js'));
  jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 30, b: 90 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
});

afterAll(async () => {
  await rm(storageDir, { recursive: true, force: true });
});

describe('Lambda handler', () => {
  it('declares no callback parameter (the Node.js 24 runtime refuses those)', () => {
    expect(typeof handler).toBe('function');
    expect(handler.length).toBeLessThanOrEqual(2);
    expect(handler.constructor.name).toBe('AsyncFunction');
  });

  describe('REST API (v1) event under stage /dev', () => {
    let id: string;

    it('stores an upload byte for byte and answers 201 with stage-prefixed Location and links', async () => {
      const created = await upload('/dev/images', jpeg);
      expect(created.status, created.body.toString()).toBe(201);
      const image = created.json<{ id: string; sha256: string; size: number; links: Record<string, unknown> }>();
      id = image.id;
      expect(image.sha256).toBe(sha256(jpeg));
      expect(image.size).toBe(jpeg.length);
      expect(created.header('location')).toBe(`/dev/images/${id}`);
      expect(image.links).toEqual({
        self: `/dev/images/${id}`,
        content: expect.stringMatching(new RegExp(`^/dev/signed/images/${id}/content\\?expires=\\d+&signature=`)),
        variants: expect.objectContaining({
          thumb: expect.stringMatching(new RegExp(`^/dev/signed/images/${id}/variants/thumb\\?expires=`)),
        }),
      });
      expect(created.header('x-request-id')).toMatch(/\S/);
    });

    it('lists with stage-prefixed links, as JSON text', async () => {
      const list = await invoke({ method: 'GET', path: '/dev/images' });
      expect(list.status).toBe(200);
      expect((list.result as { isBase64Encoded: boolean }).isBase64Encoded).toBe(false);
      expect(list.json<{ items: { links: { self: string } }[] }>().items.map((item) => item.links.self)).toContain(
        `/dev/images/${id}`,
      );
    });

    it('serves the image base64-encoded, identical to the upload (SHA-256)', async () => {
      const download = await invoke({ method: 'GET', path: `/dev/images/${id}/content` });
      expect(download.status).toBe(200);
      expect((download.result as { isBase64Encoded: boolean }).isBase64Encoded).toBe(true);
      expect(download.header('content-type')).toBe('image/jpeg');
      expect(sha256(download.body)).toBe(sha256(jpeg));
    });

    it('answers 304 to a matching If-None-Match', async () => {
      const first = await invoke({ method: 'GET', path: `/dev/images/${id}/content` });
      const again = await invoke({
        method: 'GET',
        path: `/dev/images/${id}/content`,
        headers: { 'if-none-match': first.header('etag') ?? '' },
      });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    });

    it('answers 206 with exactly the requested bytes', async () => {
      const partial = await invoke({
        method: 'GET',
        path: `/dev/images/${id}/content`,
        headers: { range: 'bytes=10-109' },
      });
      expect(partial.status).toBe(206);
      expect(partial.header('content-range')).toBe(`bytes 10-109/${jpeg.length}`);
      expect(partial.body.equals(jpeg.subarray(10, 110))).toBe(true);
    });

    it('closes every file it opened for a download, plain or ranged, HEAD or GET', async () => {
      const baseline = openFilesUnder(storageDir);
      for (let round = 0; round < 50; round++) {
        await Promise.all([
          invoke({ method: 'GET', path: `/dev/images/${id}/content` }),
          invoke({ method: 'GET', path: `/dev/images/${id}/content`, headers: { range: 'bytes=5-' } }),
          invoke({ method: 'HEAD', path: `/dev/images/${id}/content` }),
        ]);
      }
      expect(
        await eventually(
          () => openFilesUnder(storageDir),
          (n) => n <= baseline,
          2000,
        ),
      ).toBeLessThanOrEqual(baseline);
    });

    it('answers 404, 405 and 415 with the error envelope', async () => {
      expectEnvelope(
        await invoke({ method: 'GET', path: '/dev/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f' }),
        404,
        'IMAGE_NOT_FOUND',
      );
      expectEnvelope(await invoke({ method: 'GET', path: '/dev/nowhere' }), 404, 'ROUTE_NOT_FOUND');
      const wrongMethod = await invoke({ method: 'PUT', path: `/dev/images/${id}` });
      expectEnvelope(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
      expect(wrongMethod.header('allow')).toContain('DELETE');
      expectEnvelope(
        await upload('/dev/images', Buffer.from('just text'), undefined, 'text/plain'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });

    it('answers 413 with the envelope for an image over MAX_UPLOAD_BYTES', async () => {
      expectEnvelope(await upload('/dev/images', Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0xff)), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('keeps %2F encoded: /images/a%2Fb/content is one (invalid) id, not another route', async () => {
      expectEnvelope(await invoke({ method: 'GET', path: '/dev/images/a%2Fb/content' }), 400, 'INVALID_IMAGE_ID');
    });

    it('serves a negotiated variant base64-encoded, with Vary: Accept, and links it under the stage', async () => {
      const metadata = (await invoke({ method: 'GET', path: `/dev/images/${id}` })).json<{
        links: { variants: Record<string, string> };
        variants: Record<string, { width: number; height: number }>;
      }>();
      for (const preset of ['thumb', 'small', 'medium', 'large']) {
        expect(metadata.links.variants[preset]).toMatch(
          new RegExp(`^/dev/signed/images/${id}/variants/${preset}\\?expires=\\d+&signature=`),
        );
      }
      const [path, query] = metadata.links.variants.thumb!.split('?');
      const variant = await invoke({
        method: 'GET',
        path: path!,
        query,
        headers: { accept: 'image/avif,image/webp,*/*;q=0.8' },
      });
      expect(variant.status, variant.body.toString()).toBe(200);
      expect((variant.result as { isBase64Encoded: boolean }).isBase64Encoded).toBe(true);
      expect(variant.header('content-type')).toBe('image/avif');
      expect(variant.header('vary')).toMatch(/\bAccept\b/);
      expect(variant.header('etag')).toBe(`"${sha256(variant.body)}"`);
      const { width, height } = await sharp(variant.body).metadata();
      expect({ width, height }).toEqual(metadata.variants.thumb);
    });

    it('serves an explicit variant format from the query string, with 304 and 206 as on /content', async () => {
      const path = `/dev/images/${id}/variants/small`;
      const webp = await invoke({ method: 'GET', path, query: 'format=webp' });
      expect(webp.status).toBe(200);
      expect(webp.header('content-type')).toBe('image/webp');
      expect(webp.header('vary') ?? '').not.toMatch(/\bAccept\b/);
      const etag = webp.header('etag') ?? '';
      const notModified = await invoke({
        method: 'GET',
        path,
        query: 'format=webp',
        headers: { 'if-none-match': etag },
      });
      expect(notModified.status).toBe(304);
      const partial = await invoke({ method: 'GET', path, query: 'format=webp', headers: { range: 'bytes=0-11' } });
      expect(partial.status).toBe(206);
      expect(partial.body.equals(webp.body.subarray(0, 12))).toBe(true);
      expectEnvelope(await invoke({ method: 'GET', path, query: 'format=tiff' }), 400, 'VALIDATION_FAILED');
      expectEnvelope(
        await invoke({ method: 'GET', path: `/dev/images/${id}/variants/poster` }),
        404,
        'VARIANT_NOT_FOUND',
      );
    });

    it('deletes', async () => {
      expect((await invoke({ method: 'DELETE', path: `/dev/images/${id}` })).status).toBe(204);
      expectEnvelope(await invoke({ method: 'GET', path: `/dev/images/${id}` }), 404, 'IMAGE_NOT_FOUND');
    });
  });

  describe('HTTP API (v2) event', () => {
    it('round-trips an upload on the $default stage without a prefix', async () => {
      const created = await upload('/images', jpeg, { api: 'http' });
      expect(created.status, created.body.toString()).toBe(201);
      const { id } = created.json<{ id: string }>();
      expect(created.header('location')).toBe(`/images/${id}`);
      const download = await invoke({ method: 'GET', path: `/images/${id}/content` }, { api: 'http' });
      expect((download.result as { isBase64Encoded: boolean }).isBase64Encoded).toBe(true);
      expect(sha256(download.body)).toBe(sha256(jpeg));
    });

    it('strips a named stage from rawPath and puts it into links', async () => {
      const created = await upload('/v1/images', jpeg, { api: 'http', stage: 'v1' });
      expect(created.status).toBe(201);
      expect(created.header('location')).toMatch(/^\/v1\/images\/[0-9a-f-]{36}$/);
    });

    it('copes with a decoded rawPath (spaces, a lone %) and answers the envelope, not a 500', async () => {
      const event = httpApiEvent({ method: 'GET', path: '/images/x/content' });
      const decoded = { ...event, rawPath: '/images/not an id 100%/content' };
      const result = await handler(decoded, lambdaContext() as never);
      expect(statusOf(result)).toBe(400);
      expect(JSON.parse(bodyOf(result).toString())).toMatchObject({ code: 'INVALID_IMAGE_ID' });
    });
  });

  describe('Swagger UI under the stage', () => {
    it('serves the UI at /<stage>/docs with assets that resolve under the stage', async () => {
      for (const path of ['/dev/docs', '/dev/docs/']) {
        const page = await invoke({ method: 'GET', path });
        expect(page.status).toBe(200);
        const html = page.body.toString();
        const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
        expect(assets.length).toBeGreaterThan(2);
        for (const asset of assets) {
          const url = new URL(asset, `https://api.example${path}`);
          expect(url.pathname.startsWith('/dev/docs/'), `${path} → ${asset}`).toBe(true);
          const fetched = await invoke({ method: 'GET', path: url.pathname });
          expect(fetched.status, url.pathname).toBe(200);
        }
      }
    });

    it('sends "Try it out" to the stage: servers = [/dev] in the UI and the JSON document', async () => {
      const init = await invoke({ method: 'GET', path: '/dev/docs/swagger-ui-init.js' });
      expect(init.body.toString()).toMatch(/"servers":\s*\[\s*\{\s*"url":\s*"\/dev"/);
      const document = (await invoke({ method: 'GET', path: '/dev/docs-json' })).json<{ servers: unknown }>();
      expect(document.servers).toEqual([{ url: '/dev' }]);
    });

    it('keeps the stage on the favicon (binary) and script (text) assets', async () => {
      const icon = await invoke({ method: 'GET', path: '/dev/docs/favicon-32x32.png' });
      expect((icon.result as { isBase64Encoded: boolean }).isBase64Encoded).toBe(true);
      expect(icon.body.subarray(1, 4).toString()).toBe('PNG');
      const script = await invoke({ method: 'GET', path: '/dev/docs/swagger-ui-bundle.js' });
      expect((script.result as { isBase64Encoded: boolean }).isBase64Encoded).toBe(false);
    });
  });
});
