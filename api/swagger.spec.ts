import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './test/test-app';

describe('OpenAPI document and Swagger UI', () => {
  let t: TestApp;
  let document: {
    paths: Record<
      string,
      Record<string, { responses: Record<string, unknown>; requestBody?: { content: Record<string, unknown> } }>
    >;
    components: { schemas: Record<string, unknown> };
  };

  beforeAll(async () => {
    t = await createTestApp();
    document = (await request(t.server).get('/docs-json')).body;
  });
  afterAll(() => t.close());

  it('serves Swagger UI at /docs', async () => {
    const response = await request(t.server).get('/docs').redirects(1);
    expect(response.status).toBe(200);
    expect(response.text).toContain('swagger-ui');
  });

  it('describes every route with its statuses', () => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${Object.keys(operation.responses).sort().join(',')}`,
      ),
    );
    expect(operations.sort()).toEqual([
      'DELETE /images/{id} 204,400,404,412,503',
      'GET /health 200,503',
      'GET /images 200,400,503',
      'GET /images/{id} 200,400,404,503',
      'GET /images/{id}/content 200,206,304,307,400,404,412,416,503',
      'GET /signed/images/{id}/content 200,206,304,307,400,403,404,412,416,503',
      'POST /images 201,400,413,415,422,503',
      'POST /images/uploads 201,501,503',
      'POST /images/uploads/{uploadId}/complete 201,400,404,413,415,422,501,503',
    ]);
  });

  it('makes "Try it out" send multipart with a file part', () => {
    const body = document.paths['/images'].post.requestBody?.content['multipart/form-data'] as {
      schema: { properties: { file: { type: string; format: string } } };
    };
    expect(body.schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
  });

  it('documents the error envelope and the image schema', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['ErrorEnvelopeDto', 'ImageDto', 'ImagePageDto']),
    );
  });
});
