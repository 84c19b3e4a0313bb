// HTTP-only helpers for the black-box suite. Nothing here imports the application: the target is a URL, reached
// through the typed client (clients/typescript), and every exchange is checked against openapi.json
// (see contract.ts for which checker sees which exchange).
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { expect } from 'vitest';
import { createImagestoreClient, type ErrorEnvelope, type Image } from '../../clients/typescript/src/index.ts';
import { contractViolations } from './contract';

const rawBase = process.env.E2E_BASE_URL;
if (!rawBase) throw new Error('E2E_BASE_URL is not set: run the suite through `npm run test:e2e`.');

/** Where the suite sends requests: the Prism proxy when e2e/run.mjs started one, else the target itself. */
export const baseUrl = rawBase.replace(/\/+$/, '');
/** The service itself, e.g. http://127.0.0.1:3000 or https://x.execute-api.eu-west-1.amazonaws.com/dev */
export const targetUrl = (process.env.E2E_TARGET_URL ?? rawBase).replace(/\/+$/, '');
const apiKey = process.env.E2E_API_KEY;

/** The upload limit the target enforces (the runner passes the one it started the server with). */
export const maxUploadBytes = Number(process.env.E2E_MAX_UPLOAD_BYTES ?? 4 * 1024 * 1024);

export type ImageMetadata = Image;

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const IMAGE_CONTENT = /^\/images\/[^/]+\/content$/;

/** Exchanges Prism cannot carry intact (contract.ts lists why); they go to the target and are checked here. */
function goesDirect(request: Request, apiPath: string): boolean {
  if ((request.headers.get('content-type') ?? '').startsWith('multipart/form-data')) return true;
  if (apiPath.startsWith('/images/uploads')) return true;
  if (request.method === 'GET' && IMAGE_CONTENT.test(apiPath)) return true;
  return request.method === 'HEAD' && !IMAGE_CONTENT.test(apiPath);
}

async function checkedDirect(request: Request, apiPathAndQuery: string): Promise<Response> {
  const response = await fetch(`${targetUrl}${apiPathAndQuery}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
    redirect: 'manual',
    duplex: 'half',
  } as RequestInit);
  const body = new Uint8Array(await response.arrayBuffer());
  const violations = await contractViolations({
    method: request.method,
    pathAndQuery: apiPathAndQuery,
    requestHeaders: request.headers,
    status: response.status,
    headers: response.headers,
    body,
  });
  if (violations.length > 0) throw new Error(`contract violation:\n${violations.join('\n')}`);
  return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Prism's own answers (a violation, or a request it refused) fail the test with Prism's reasons. */
async function throwIfPrismAnswered(response: Response, label: string): Promise<void> {
  if (!(response.headers.get('content-type') ?? '').startsWith('application/problem+json')) return;
  const problem = (await response.clone().json()) as { type?: string; title?: string; validation?: unknown };
  if (!problem.type?.startsWith('https://stoplight.io/prism/errors#')) return;
  throw new Error(`Prism (${label}): ${problem.title}\n${JSON.stringify(problem.validation ?? problem, null, 2)}`);
}

/** The fetch the typed client uses: routes each request to Prism or the target, and checks every answer. */
async function contractFetch(request: Request): Promise<Response> {
  if (!request.url.startsWith(`${baseUrl}/`)) return fetch(request); // storage (the presigned POST), not the API
  const apiPathAndQuery = request.url.slice(baseUrl.length);
  const label = `${request.method} ${apiPathAndQuery}`;
  const response = goesDirect(request, apiPathAndQuery.split('?')[0]!)
    ? await checkedDirect(request, apiPathAndQuery)
    : await fetch(request);
  await throwIfPrismAnswered(response, label);
  expect(response.headers.get('x-request-id') ?? '', `${label}: x-request-id header`).toMatch(/\S/);
  return response;
}

/** The typed client every test uses; 503s are retried only where the runner allows retries (deployed stages). */
export const client = createImagestoreClient({
  baseUrl,
  apiKey,
  fetch: contractFetch,
  retry: { retries: Number(process.env.E2E_RETRY ?? 0) },
});
export const { api } = client;

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

/**
 * A request sent as given, straight to the target, for tests about malformed or deliberately invalid HTTP (which
 * Prism would refuse before the service could). The answer is still checked against the document.
 */
export async function rawFetch(path: string, init: RequestInit = {}): Promise<ApiResponse> {
  const headers = new Headers(init.headers);
  if (apiKey) headers.set('x-api-key', apiKey);
  const response = await fetch(`${targetUrl}${path}`, { ...init, headers, redirect: 'manual' });
  return checkedAnswer(init.method ?? 'GET', path, headers, response.status, response.headers, await response.bytes());
}

async function checkedAnswer(
  method: string,
  path: string,
  requestHeaders: Headers,
  status: number,
  headers: Headers,
  bytes: Uint8Array,
): Promise<ApiResponse> {
  const violations = await contractViolations({
    method,
    pathAndQuery: path,
    requestHeaders,
    status,
    headers,
    body: bytes,
    invalidRequest: true,
  });
  expect(violations, `${method} ${path}: contract`).toEqual([]);
  expect(headers.get('x-request-id') ?? '', `${method} ${path}: x-request-id header`).toMatch(/\S/);
  const body = Buffer.from(bytes);
  return { status, headers, body, json: () => JSON.parse(body.toString('utf8')) };
}

/**
 * A request with exactly the given headers, straight to the target. fetch() adds `Cache-Control: no-cache` and
 * `Pragma: no-cache` to any request carrying If-None-Match (Fetch standard); this does not, like curl.
 */
export function rawRequest(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<ApiResponse> {
  const target = new URL(`${targetUrl}${path}`);
  const transport = target.protocol === 'https:' ? https : http;
  const allHeaders = apiKey ? { ...headers, 'x-api-key': apiKey } : headers;
  return new Promise((resolve, reject) => {
    const request = transport.request(target, { method, headers: allHeaders }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        checkedAnswer(
          method,
          path,
          new Headers(allHeaders),
          response.statusCode ?? 0,
          responseHeaders,
          Buffer.concat(chunks),
        ).then(resolve, reject);
      });
    });
    request.on('error', reject);
    request.end();
  });
}

/** A typed-client result or a raw answer, for expectError. */
type Answer = ApiResponse | { readonly response: Response; readonly error?: unknown };

/** Asserts the error envelope `{ statusCode, error, code, message, requestId }`, its status and (optionally) code. */
export function expectError(answer: Answer, status: number | number[], code?: string | string[]): ErrorEnvelope {
  const statuses = Array.isArray(status) ? status : [status];
  const { actualStatus, headers, envelope } =
    'response' in answer
      ? { actualStatus: answer.response.status, headers: answer.response.headers, envelope: answer.error }
      : { actualStatus: answer.status, headers: answer.headers, envelope: answer.json() };
  const text = JSON.stringify(envelope).slice(0, 500);
  expect(statuses, `status ${actualStatus}: ${text}`).toContain(actualStatus);
  expect(headers.get('content-type') ?? '', text).toMatch(/^application\/json/);
  expect(envelope).toMatchObject({
    statusCode: actualStatus,
    error: expect.any(String),
    code: expect.stringMatching(/^[A-Z_]+$/),
    message: expect.any(String),
    requestId: headers.get('x-request-id'),
  });
  const error = envelope as ErrorEnvelope;
  if (code !== undefined) expect(Array.isArray(code) ? code : [code]).toContain(error.code);
  return error;
}

/** POST /images through the typed client; a refusal rejects with ImagestoreError. */
export async function uploadOk(bytes: Uint8Array, filename: string, type: string): Promise<ImageMetadata> {
  return client.uploadImage(bytes, { filename, contentType: type });
}

/** Every id the API lists, following nextCursor to the end. */
export async function listAllIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const { data, response } = await api.GET('/images', { params: { query: { limit: 100, cursor } } });
    expect(response.status).toBe(200);
    data!.items.forEach((item) => ids.add(item.id));
    cursor = data!.nextCursor ?? undefined;
    if (!cursor) return ids;
  }
  throw new Error('listing did not end after 1000 pages');
}

/** Runs `act`, then checks through the API that no image appeared meanwhile. */
export async function expectNothingNewListed(act: () => Promise<void>): Promise<void> {
  const before = await listAllIds();
  await act();
  const after = await listAllIds();
  const added = [...after].filter((id) => !before.has(id));
  expect(added, 'images listed after a refused request').toEqual([]);
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Deletes, ignoring 404: for cleanup of images a test created. */
export async function deleteQuietly(id: string): Promise<void> {
  const { response } = await api.DELETE('/images/{id}', { params: { path: { id } } });
  if (response.status !== 204 && response.status !== 404) {
    throw new Error(`cleanup of ${id} answered ${response.status}`);
  }
}

/** A syntactically valid UUIDv7 that no image has. */
export const unknownImageId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
