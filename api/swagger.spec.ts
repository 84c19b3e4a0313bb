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
      'DELETE /images/{id} 204,400,404,412,500,503',
      'GET /cdn/variants/{id}/{name} 200,206,304,307,400,404,412,416,422,500,503',
      'GET /health 200,500,503',
      'GET /images 200,400,500,503',
      'GET /images/{id} 200,400,404,500,503',
      'GET /images/{id}/content 200,206,304,307,400,404,412,416,500,503',
      'GET /images/{id}/variants/{preset} 200,206,304,307,400,404,412,416,422,500,503',
      'GET /signed/images/{id}/content 200,206,304,307,400,403,404,412,416,500,503',
      'GET /signed/images/{id}/variants/{preset} 200,206,304,307,400,403,404,412,416,422,500,503',
      'HEAD /cdn/variants/{id}/{name} 200,206,304,307,400,404,412,416,422,500,503',
      'HEAD /health 200,500,503',
      'HEAD /images 200,400,500,503',
      'HEAD /images/{id} 200,400,404,500,503',
      'HEAD /images/{id}/content 200,206,304,307,400,404,412,416,500,503',
      'HEAD /images/{id}/variants/{preset} 200,206,304,307,400,404,412,416,422,500,503',
      'HEAD /signed/images/{id}/content 200,206,304,307,400,403,404,412,416,500,503',
      'HEAD /signed/images/{id}/variants/{preset} 200,206,304,307,400,403,404,412,416,422,500,503',
      'POST /images 201,400,409,413,415,422,500,503',
      'POST /images/uploads 201,500,501,503',
      'POST /images/uploads/{uploadId}/complete 201,400,404,413,415,422,500,501,503',
    ]);
  });

  it('makes "Try it out" send multipart with a file part', () => {
    const body = document.paths['/images'].post.requestBody?.content['multipart/form-data'] as {
      schema: { properties: { file: { type: string; format: string } } };
    };
    expect(body.schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
  });

  it('documents variants: the route’s format and preset, and placeholder and variant sizes and links with examples', () => {
    const image = document.components.schemas.ImageDto as {
      properties: Record<string, { example?: unknown; nullable?: boolean; additionalProperties?: unknown }>;
    };
    expect(image.properties.placeholder).toMatchObject({ nullable: true, example: expect.any(String) });
    expect(image.properties.variants).toMatchObject({
      additionalProperties: { properties: { width: { type: 'integer' }, height: { type: 'integer' } } },
      example: { thumb: { width: 256, height: 192 } },
    });
    const links = document.components.schemas.ImageLinksDto as { properties: Record<string, { example?: unknown }> };
    expect(links.properties.variants.example).toMatchObject({
      thumb: expect.stringMatching(/^\/signed\/images\/[\w-]+\/variants\/thumb\?expires=\d+&signature=/),
    });
    const operation = document.paths['/images/{id}/variants/{preset}'].get as unknown as {
      parameters: { name: string; in: string; schema?: { enum?: string[] } }[];
    };
    expect(operation.parameters.find((p) => p.name === 'format')?.schema?.enum).toEqual([
      'avif',
      'webp',
      'jpeg',
      'png',
    ]);
    expect(operation.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['path:id', 'path:preset', 'query:format', 'header:Accept']),
    );
  });

  it('documents the error envelope and the image schema', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['ErrorEnvelopeDto', 'ImageDto', 'ImagePageDto']),
    );
  });
});
