import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../test/raw-request';
import { createTestApp, type TestApp } from '../test/test-app';

describe('HTTP edges: unknown routes, wrong methods, request ids, security headers', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['PUT', '/images', 'GET, HEAD, POST'],
    ['PATCH', '/images', 'GET, HEAD, POST'],
    ['DELETE', '/images', 'GET, HEAD, POST'],
    ['POST', '/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f', 'DELETE, GET, HEAD'],
    ['PUT', '/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f/content', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const response = await request(t.server)[method.toLowerCase() as 'put'](path);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.body).toMatchObject({ statusCode: 405, error: 'Method Not Allowed', code: 'METHOD_NOT_ALLOWED' });
  });

  it('answers CONNECT with the JSON envelope (405, empty Allow) instead of dropping the connection', async () => {
    const response = await rawRequest(t, ['CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443', '']);
    expect(response.status).toBe(405);
    expect(response.head).toMatch(/^Allow: $/im);
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 405, code: 'METHOD_NOT_ALLOWED' });
  });

  it('serves a request asking for a protocol upgrade as an ordinary one', async () => {
    const response = await rawRequest(t, [
      'GET /images HTTP/1.1',
      'Host: x',
      'Connection: Upgrade, close',
      'Upgrade: websocket',
      '',
    ]);
    expect(response.status).toBe(200);
  });

  it('answers unknown routes with the JSON envelope', async () => {
    const response = await request(t.server).get('/nope');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'ROUTE_NOT_FOUND',
      message: expect.any(String),
      requestId: response.headers['x-request-id'],
    });
  });

  it('returns an x-request-id on every response and reuses a well-formed incoming one', async () => {
    const generated = await request(t.server).get('/health');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const reused = await request(t.server).get('/nope').set('x-request-id', 'client-trace-12345');
    expect(reused.headers['x-request-id']).toBe('client-trace-12345');
    expect(reused.body.requestId).toBe('client-trace-12345');
  });

  it('puts the request id on Swagger responses too', async () => {
    const response = await request(t.server).get('/docs-json');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('replaces an incoming request id that is unsafe to echo', async () => {
    const response = await request(t.server).get('/health').set('x-request-id', '<script>alert(1)</script>');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and hides the framework', async () => {
    const response = await request(t.server).get('/health');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('refuses headers that are too large with 431 and the usual envelope (Node answers before the app)', async () => {
    const response = await request(t.server).get('/health').set('x-filler', 'a'.repeat(20_000));
    expect(response.status).toBe(431);
    expect(response.body).toMatchObject({ statusCode: 431, code: 'HEADERS_TOO_LARGE' });
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
  });

  it('answers a request that is not HTTP with a JSON 400, not a bare status line', async () => {
    const raw = await rawRequest(t, ['GET /health HTTP/1.1', 'Host: localhost', 'Bad Header Line', '', '']);
    expect(raw.status).toBe(400);
    expect(raw.head).toMatch(/^content-type: application\/json/im);
    expect(JSON.parse(raw.body)).toMatchObject({ statusCode: 400, code: 'MALFORMED_REQUEST' });
  });

  it('bounds how long a client may take to send its request', () => {
    expect(t.server.headersTimeout).toBe(20_000);
    expect(t.server.requestTimeout).toBe(60_000);
  });
});
