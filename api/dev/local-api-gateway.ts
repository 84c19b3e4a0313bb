import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { ApiGatewayResult } from '../lambda/api-gateway-event-source';
import { lambdaContext, restApiEvent } from './api-gateway-events';
import { bodyOf, headersOf, statusOf } from '../lambda/result';

/**
 * API Gateway REST refuses bodies over 10 MB before the function runs; Lambda refuses events over 6 MB, and
 * fails an invocation whose result is over 6 MB, which API Gateway reports as a bare 502.
 */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
const LAMBDA_MAX_EVENT_BYTES = 6 * 1024 * 1024;
const LAMBDA_MAX_RESULT_BYTES = 6 * 1024 * 1024;

type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<ApiGatewayResult>;

export interface LocalApiGatewayOptions {
  readonly handler: LambdaHandler;
  readonly stage: string;
  readonly port: number;
  readonly host?: string;
}

/**
 * A stand-in for API Gateway REST in front of the built handler: each HTTP request becomes a `{proxy+}` event
 * under `/<stage>` (body base64, as with binary media type `*\/*`), the handler runs in this process, and its
 * result becomes the HTTP response. Paths outside the stage get API Gateway's own 403.
 */
export function startLocalApiGateway({
  handler,
  stage,
  port,
  host = '127.0.0.1',
}: LocalApiGatewayOptions): Promise<Server> {
  const server = createServer((req, res) => {
    void forward(req, res, handler, stage).catch((error: unknown) => {
      if (!res.headersSent) answer(res, 502, { message: 'Internal server error' });
      else res.destroy();
      process.stderr.write(`local API Gateway: handler failed: ${(error as Error).stack ?? String(error)}\n`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function forward(req: IncomingMessage, res: ServerResponse, handler: LambdaHandler, stage: string) {
  const url = new URL(req.url ?? '/', 'http://local');
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  if (rawPath !== `/${stage}` && !rawPath.startsWith(`/${stage}/`)) {
    // What the execute-api endpoint answers for a path outside any stage or resource.
    return answer(res, 403, gatewayError(403, 'Forbidden', 'FORBIDDEN', 'Missing Authentication Token'));
  }
  const body = await readBody(req, API_GATEWAY_MAX_BODY_BYTES);
  if (body === undefined) return answer(res, 413, tooLong());
  const event = restApiEvent(
    {
      method: req.method ?? 'GET',
      path: rawPath,
      query: url.search.slice(1),
      headers: headersOfRequest(req),
      body,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
    },
    stage,
  );
  const serialized = JSON.stringify(event);
  if (Buffer.byteLength(serialized) > LAMBDA_MAX_EVENT_BYTES) return answer(res, 413, tooLong());
  // Parsed from JSON like the runtime does, so the handler sees exactly what Lambda would deliver.
  const result = await handler(JSON.parse(serialized) as APIGatewayProxyEvent, lambdaContext() as unknown as Context);
  if (Buffer.byteLength(JSON.stringify(result)) > LAMBDA_MAX_RESULT_BYTES) {
    process.stderr.write('local API Gateway: the function returned more than 6 MB; Lambda would fail it\n');
    return answer(res, 502, { message: 'Internal server error' });
  }
  const payload = bodyOf(result);
  res.statusCode = statusOf(result);
  for (const [name, values] of Object.entries(headersOf(result))) {
    // The length is recomputed from the decoded body, except for HEAD, whose length describes the GET it mirrors.
    if (name === 'content-length' && req.method !== 'HEAD') continue;
    res.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
  }
  if (req.method !== 'HEAD' && res.statusCode !== 304 && res.statusCode !== 204) {
    res.setHeader('content-length', String(payload.length));
  }
  res.end(req.method === 'HEAD' ? undefined : payload);
}

function headersOfRequest(req: IncomingMessage): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    (headers[name] ??= []).push(req.rawHeaders[i + 1] ?? '');
  }
  return headers;
}

/** The whole body, or undefined once it passes `limit` (the rest is drained so the client sees the 413). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

/** The envelope infra's gateway responses give API Gateway's own refusals (infra/lib/constructs/image-api). */
const gatewayError = (statusCode: number, error: string, code: string, message: string) => ({
  statusCode,
  error,
  code,
  message,
  requestId: randomUUID(),
});
const tooLong = () => gatewayError(413, 'Payload Too Large', 'PAYLOAD_TOO_LARGE', 'Request Too Long');

function answer(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
