// The gallery's one HTTP module: fetch for JSON, XMLHttpRequest where upload progress is needed (fetch has none).
import type { DirectUpload, ErrorEnvelope, Image, ImagePage } from './api-types';
import type { ApiKeys } from './api-keys';

/** A refusal from the API, carrying its envelope's code and message (or a generic one for network failures). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Progress {
  readonly loaded: number;
  readonly total: number;
}

interface RawResponse {
  readonly status: number;
  readonly text: string;
  header(name: string): string | null;
}

/** Every URL the page uses is resolved against the document base, so one build works at `/`, `/local/` or `/prod/`. */
export const resolve = (path: string): string => new URL(path, document.baseURI).href;

function retryAfterOf(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, seconds) : undefined;
}

function errorOf(response: RawResponse): ApiError {
  let envelope: Partial<ErrorEnvelope> = {};
  try {
    envelope = JSON.parse(response.text) as Partial<ErrorEnvelope>;
  } catch {
    // not JSON (a proxy's HTML page): fall back to the status line
  }
  const message =
    typeof envelope.message === 'string' && envelope.message ? envelope.message : `HTTP ${response.status}`;
  return new ApiError(
    response.status,
    typeof envelope.code === 'string' ? envelope.code : 'HTTP_ERROR',
    message,
    retryAfterOf(response.header('retry-after')),
  );
}

function xhr(
  method: string,
  url: string,
  body: FormData,
  headers: Record<string, string>,
  onProgress?: (progress: Progress) => void,
  signal?: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    if (onProgress) {
      request.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) onProgress({ loaded: event.loaded, total: event.total });
      });
    }
    request.addEventListener('load', () =>
      resolvePromise({
        status: request.status,
        text: request.responseText,
        header: (name) => request.getResponseHeader(name),
      }),
    );
    request.addEventListener('error', () => reject(new ApiError(0, 'NETWORK_ERROR', 'The network request failed.')));
    request.addEventListener('abort', () => reject(new ApiError(0, 'ABORTED', 'The upload was cancelled.')));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(body);
  });
}

async function viaFetch(method: string, url: string, headers: Record<string, string>): Promise<RawResponse> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'The server could not be reached.');
  }
  const text = await response.text();
  return { status: response.status, text, header: (name) => response.headers.get(name) };
}

export class ImagesApi {
  constructor(private readonly keys: ApiKeys) {}

  async list(limit: number, cursor?: string | null): Promise<ImagePage> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return this.json<ImagePage>('GET', resolve(`images?${query}`));
  }

  async delete(image: Image): Promise<void> {
    await this.call((headers) => viaFetch('DELETE', resolve(image.links.self), headers), 204);
  }

  /** POST /images as multipart, reporting bytes sent. */
  upload(file: File, onProgress: (progress: Progress) => void, signal?: AbortSignal): Promise<Image> {
    return this.call(
      (headers) => xhr('POST', resolve('images'), formWith({}, file), headers, onProgress, signal),
      201,
    ).then(parse<Image>);
  }

  /** S3 only: a presigned POST straight to the bucket, then the API verifies and stores it. */
  async directUpload(file: File, onProgress: (progress: Progress) => void, signal?: AbortSignal): Promise<Image> {
    const started = parse<DirectUpload>(
      await this.call((headers) => viaFetch('POST', resolve('images/uploads'), headers), 201),
    );
    if (file.size > started.maxBytes) {
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `The file is larger than the ${formatMiB(started.maxBytes)} limit.`);
    }
    // The bucket never sees the API key: the presigned policy is the credential.
    const stored = await xhr('POST', started.url, formWith(started.fields, file), {}, onProgress, signal);
    if (stored.status < 200 || stored.status >= 300) {
      throw new ApiError(stored.status, 'DIRECT_UPLOAD_FAILED', `The storage refused the upload (${stored.status}).`);
    }
    return parse<Image>(await this.call((headers) => viaFetch('POST', resolve(started.completeUrl), headers), 201));
  }

  private async json<T>(method: string, url: string): Promise<T> {
    return parse<T>(
      await this.call((headers) => viaFetch(method, url, { ...headers, accept: 'application/json' }), 200),
    );
  }

  /**
   * Sends with the API key, if there is one. A 403 means the key is missing or wrong (API Gateway's usage plan):
   * the person is asked for one and the request is sent again.
   */
  private async call(
    send: (headers: Record<string, string>) => Promise<RawResponse>,
    expected: number,
  ): Promise<RawResponse> {
    for (;;) {
      const key = this.keys.current();
      const response = await send(key ? { 'x-api-key': key } : {});
      if (response.status === expected) return response;
      if (response.status === 403) {
        await this.keys.demand(key);
        continue;
      }
      throw errorOf(response);
    }
  }
}

function parse<T>(response: RawResponse): T {
  try {
    return JSON.parse(response.text) as T;
  } catch {
    throw new ApiError(response.status, 'INVALID_RESPONSE', 'The server answered with something that is not JSON.');
  }
}

function formWith(fields: Readonly<Record<string, string>>, file: File): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', file, file.name);
  return form;
}

const formatMiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
