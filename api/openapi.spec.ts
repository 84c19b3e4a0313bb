import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, HTTP_STATUS_BY_CODE } from './common/app-error';
import { lambdaContext, restApiEvent } from './dev/api-gateway-events';
import { bodyOf, statusOf } from './lambda/result';
import { createTestApp, type TestApp } from './test/test-app';

const root = join(__dirname, '..');
/** The committed contract; `npm run openapi` rewrites it from what the app serves. */
const committed = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8'));
const clientPackage = JSON.parse(readFileSync(join(root, 'clients/typescript/package.json'), 'utf8'));
const servicePackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

interface Operation {
  operationId: string;
  parameters: { name?: string; schema?: Record<string, unknown> }[];
  responses: Record<string, { content?: Record<string, { schema: { allOf?: { properties?: object }[] } }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>>; servers: unknown; info: { version: string } };

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );

describe('openapi.json', () => {
  let t: TestApp;
  let served: Document;

  beforeAll(async () => {
    t = await createTestApp();
    served = (await request(t.server).get('/docs-json')).body;
  });
  afterAll(() => t.close());

  it('is exactly what the app serves (run `npm run openapi` after changing a route)', () => {
    expect(served).toEqual(committed);
  });

  it('has the service version, and so has the client package', () => {
    expect(committed.info.version).toBe(servicePackage.version);
    expect(clientPackage.version).toBe(servicePackage.version);
  });

  it('names every operation with a stable verb, HEAD included', () => {
    expect(
      operations(served)
        .map(({ method, path, operation }) => `${method.toUpperCase()} ${path} ${operation.operationId}`)
        .sort(),
    ).toEqual([
      'DELETE /images/{id} deleteImage',
      'GET /cdn/variants/{id}/{name} getCdnVariant',
      'GET /health getHealth',
      'GET /images listImages',
      'GET /images/{id} getImage',
      'GET /images/{id}/content getImageContent',
      'GET /images/{id}/variants/{preset} getImageVariant',
      'GET /signed/images/{id}/content getSignedImageContent',
      'GET /signed/images/{id}/variants/{preset} getSignedImageVariant',
      'HEAD /cdn/variants/{id}/{name} headCdnVariant',
      'HEAD /health headHealth',
      'HEAD /images headImages',
      'HEAD /images/{id} headImage',
      'HEAD /images/{id}/content headImageContent',
      'HEAD /images/{id}/variants/{preset} headImageVariant',
      'HEAD /signed/images/{id}/content headSignedImageContent',
      'HEAD /signed/images/{id}/variants/{preset} headSignedImageVariant',
      'POST /images uploadImage',
      'POST /images/uploads startDirectUpload',
      'POST /images/uploads/{uploadId}/complete completeDirectUpload',
    ]);
  });

  it('declares every error as application/json, with codes that belong to its status', () => {
    for (const { method, path, operation } of operations(served)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const where = `${method} ${path} ${status}`;
        if (method === 'head') {
          expect(response.content, where).toBeUndefined();
          continue;
        }
        expect(Object.keys(response.content ?? {}), where).toEqual(['application/json']);
        const pinned = response.content!['application/json'].schema.allOf![1]!.properties as {
          code: { enum: string[] };
          statusCode: { enum: number[] };
        };
        expect(pinned.statusCode.enum, where).toEqual([Number(status)]);
        for (const code of pinned.code.enum) {
          expect(ERROR_CODES, where).toContain(code);
          expect(HTTP_STATUS_BY_CODE[code as keyof typeof HTTP_STATUS_BY_CODE], `${where} ${code}`).toBe(
            Number(status),
          );
        }
      }
    }
  });

  it('states the limit and default page size the configuration sets', async () => {
    const other = await createTestApp({ LIST_MAX_LIMIT: '50', LIST_DEFAULT_LIMIT: '7' });
    try {
      const document: Document = (await request(other.server).get('/docs-json')).body;
      const limit = document.paths['/images']!.get!.parameters.find((p) => p.name === 'limit')!;
      expect(limit.schema).toMatchObject({ minimum: 1, maximum: 50, default: 7 });
    } finally {
      await other.close();
    }
  });
});

describe('openapi.json behind an API Gateway stage (Lambda handler)', () => {
  let storageDir: string;

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'imagestore-openapi-lambda-'));
    Object.assign(process.env, { LOG_LEVEL: 'silent', STORAGE_DRIVER: 'disk', STORAGE_DIR: storageDir });
  });
  afterAll(() => rm(storageDir, { recursive: true, force: true }));

  it('differs from the committed document only in servers', async () => {
    const { handler } = await import('./lambda/handler.js');
    const event = restApiEvent({ method: 'GET', path: '/prod/docs-json', headers: {} }, 'prod');
    const result = await handler(JSON.parse(JSON.stringify(event)), lambdaContext() as never);
    expect(statusOf(result)).toBe(200);
    const { servers, ...rest } = JSON.parse(bodyOf(result).toString('utf8'));
    const { servers: committedServers, ...committedRest } = committed;
    expect(committedServers).toEqual([{ url: '/' }]);
    expect(servers).toEqual([{ url: '/prod' }]);
    expect(rest).toEqual(committedRest);
  });
});
