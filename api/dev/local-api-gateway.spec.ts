import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApiGateway } from './local-api-gateway';

let server: Server;
let base: string;
const seen: APIGatewayProxyEvent[] = [];

beforeAll(async () => {
  server = await startLocalApiGateway({
    stage: 'local',
    port: 0,
    handler: async (event) => {
      seen.push(event);
      const size = /\/bytes\/(\d+)$/.exec(event.path)?.[1];
      const body = size ? Buffer.alloc(Number(size), 7) : Buffer.from(event.body ?? '', 'base64');
      return {
        statusCode: 200,
        multiValueHeaders: { 'content-type': ['image/png'], 'x-echo': ['a', 'b'] },
        body: body.toString('base64'),
        isBase64Encoded: true,
      };
    },
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('local API Gateway', () => {
  it('turns a request into a REST proxy event under the stage and the result back into HTTP', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    const response = await fetch(`${base}/local/images/a%2Fb?x=1&x=2`, { method: 'PUT', body: bytes });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(response.headers.get('x-echo')).toBe('a, b');
    const event = seen.at(-1);
    expect(event).toMatchObject({
      httpMethod: 'PUT',
      path: '/images/a%2Fb',
      pathParameters: { proxy: 'images/a/b' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      isBase64Encoded: true,
      requestContext: { stage: 'local', path: '/local/images/a%2Fb' },
    });
  });

  it('fails an invocation whose result is over 6 MB with a bare 502, as Lambda and API Gateway do', async () => {
    // 4.5 MiB of image is just over 6 MiB once base64-encoded; 4.6 MB still fits.
    const tooBig = await fetch(`${base}/local/bytes/4718592`);
    expect(tooBig.status).toBe(502);
    expect(await tooBig.json()).toEqual({ message: 'Internal server error' });
    const fits = await fetch(`${base}/local/bytes/4600000`);
    expect(fits.status).toBe(200);
    expect((await fits.arrayBuffer()).byteLength).toBe(4_600_000);
  });

  it("answers API Gateway's 403 outside the stage", async () => {
    const response = await fetch(`${base}/images`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      statusCode: 403,
      code: 'FORBIDDEN',
      message: 'Missing Authentication Token',
    });
  });
});
