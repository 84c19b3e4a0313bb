// HTTP-only helpers for the black-box suite. Nothing here imports the application: the target is a URL.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { expect } from 'vitest';

const rawBase = process.env.E2E_BASE_URL;
if (!rawBase) throw new Error('E2E_BASE_URL is not set: run the suite through `npm run test:e2e`.');

/** Base URL without a trailing slash, e.g. http://127.0.0.1:3000 or https://x.execute-api.eu-west-1.amazonaws.com/dev */
export const baseUrl = rawBase.replace(/\/+$/, '');
const apiKey = process.env.E2E_API_KEY;

/** The upload limit the target enforces (the runner passes the one it started the server with). */
export const maxUploadBytes = Number(process.env.E2E_MAX_UPLOAD_BYTES ?? 4 * 1024 * 1024);

export const url = (path: string): string => `${baseUrl}${path}`;

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

/**
 * fetch against the target with the API key, reading the whole body. Every response must carry x-request-id,
 * so that is asserted here once rather than in every test.
 */
export async function api(path: string, init: RequestInit = {}): Promise<ApiResponse> {
  const headers = new Headers(init.headers);
  if (apiKey) headers.set('x-api-key', apiKey);
  const response = await fetch(url(path), { ...init, headers, redirect: 'manual' });
  const body = Buffer.from(await response.arrayBuffer());
  expect(response.headers.get('x-request-id') ?? '', `${init.method ?? 'GET'} ${path}: x-request-id header`).toMatch(
    /\S/,
  );
  return {
    status: response.status,
    headers: response.headers,
    body,
    json: () => JSON.parse(body.toString('utf8')),
  };
}

/**
 * A request with exactly the given headers. fetch() adds `Cache-Control: no-cache` and `Pragma: no-cache` to any
 * request carrying If-None-Match (Fetch standard, "HTTP-network-or-cache fetch"); this does not, like curl.
 */
export function rawRequest(path: string, method = 'GET', headers: Record<string, string> = {}): Promise<ApiResponse> {
  const target = new URL(url(path));
  const client = target.protocol === 'https:' ? https : http;
  const allHeaders = apiKey ? { ...headers, 'x-api-key': apiKey } : headers;
  return new Promise((resolve, reject) => {
    const request = client.request(target, { method, headers: allHeaders }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const body = Buffer.concat(chunks);
        resolve({
          status: response.statusCode ?? 0,
          headers: responseHeaders,
          body,
          json: () => JSON.parse(body.toString('utf8')),
        });
      });
    });
    request.on('error', reject);
    request.end();
  });
}

interface ErrorEnvelope {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  requestId: string;
}

/** Asserts the error envelope `{ statusCode, error, code, message, requestId }`. */
export function expectError(response: ApiResponse, status: number | number[], code?: string | string[]): void {
  const statuses = Array.isArray(status) ? status : [status];
  const text = response.body.toString('utf8').slice(0, 500);
  expect(statuses, `status ${response.status}: ${text}`).toContain(response.status);
  expect(response.headers.get('content-type') ?? '', text).toMatch(/^application\/(problem\+)?json/);
  const error = response.json<ErrorEnvelope>();
  expect(error).toMatchObject({
    statusCode: response.status,
    error: expect.any(String),
    code: expect.stringMatching(/^[A-Z_]+$/),
    message: expect.any(String),
    requestId: response.headers.get('x-request-id'),
  });
  if (code !== undefined) expect(Array.isArray(code) ? code : [code]).toContain(error.code);
}

export interface ImageMetadata {
  id: string;
  contentType: string;
  size: number;
  width: number;
  height: number;
  sha256: string;
  originalName: string | null;
  createdAt: string;
  links: { self: string; content: string };
}

/** POST /images with one multipart part (named `file` unless told otherwise). */
export async function upload(
  bytes: Uint8Array,
  options: { filename?: string; type?: string; field?: string; extraFields?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const form = new FormData();
  for (const [name, value] of Object.entries(options.extraFields ?? {})) form.append(name, value);
  form.append(
    options.field ?? 'file',
    new Blob([new Uint8Array(bytes)], { type: options.type ?? 'application/octet-stream' }),
    options.filename ?? 'upload.bin',
  );
  return api('/images', { method: 'POST', body: form });
}

/** Uploads and asserts 201; returns the metadata. */
export async function uploadOk(bytes: Uint8Array, filename: string, type: string): Promise<ImageMetadata> {
  const response = await upload(bytes, { filename, type });
  expect(response.status, response.body.toString('utf8').slice(0, 500)).toBe(201);
  return response.json<ImageMetadata>();
}

/** Every id the API lists, following nextCursor to the end. */
export async function listAllIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const response = await api(`/images${query}`);
    expect(response.status).toBe(200);
    const body = response.json<{ items: ImageMetadata[]; nextCursor: string | null }>();
    body.items.forEach((item) => ids.add(item.id));
    cursor = body.nextCursor;
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
  const response = await api(`/images/${id}`, { method: 'DELETE' });
  if (response.status !== 204 && response.status !== 404) {
    throw new Error(`cleanup of ${id} answered ${response.status}`);
  }
}

/** A syntactically valid UUIDv7 that no image has. */
export const unknownImageId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
