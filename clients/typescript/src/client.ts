import createClient, { type Client } from 'openapi-fetch';
import { ImagestoreError } from './errors.ts';
import type { components, paths } from './generated/openapi.ts';
import { isReplayable, multipartBody, type UploadProgress, type UploadSource } from './multipart.ts';
import { fetchWithRetry, retryingFetch, type RetryPolicy } from './retry.ts';

export type Image = components['schemas']['ImageDto'];
export type ImagePage = components['schemas']['ImagePageDto'];
export type DirectUpload = components['schemas']['DirectUploadDto'];

export interface ImagestoreClientOptions {
  /** Where the API answers, stage included, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. */
  readonly baseUrl: string;
  /** Sent as `x-api-key` (API Gateway deployments). */
  readonly apiKey?: string;
  /** Retry on 503 after Retry-After; `false` turns it off. */
  readonly retry?: RetryPolicy | false;
  /** Replaces global fetch (tests, proxies). Receives every request, uploads included. */
  readonly fetch?: (request: Request) => Promise<Response>;
}

export interface UploadOptions {
  readonly filename?: string;
  /** Sent as the part's type; the service decides the type from the bytes anyway. */
  readonly contentType?: string;
  readonly onProgress?: (progress: UploadProgress) => void;
  readonly signal?: AbortSignal;
  /** Sees the final response (after retries), e.g. for its Location or x-request-id. */
  readonly onResponse?: (response: Response) => void;
}

export interface ImagestoreClient {
  /** The generated, fully typed client: `api.GET('/images/{id}', { params: { path: { id } } })`. */
  readonly api: Client<paths>;
  /** POST /images as multipart/form-data, streamed, with progress. */
  uploadImage(source: UploadSource, options?: UploadOptions): Promise<Image>;
  /** POST /images/uploads, the presigned POST to storage, then the complete call: one image, any size up to maxBytes. */
  uploadDirect(source: UploadSource, options?: UploadOptions): Promise<Image>;
}

/** Returns the data of a successful openapi-fetch result; throws ImagestoreError with the envelope's code otherwise. */
export function orThrow<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  throw ImagestoreError.fromBody(result.response.status, result.error, result.response.statusText);
}

export function createImagestoreClient(options: ImagestoreClientOptions): ImagestoreClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const baseFetch = options.fetch ?? ((request: Request) => fetch(request));
  const policy = options.retry === false ? { retries: 0 } : (options.retry ?? {});
  const apiKeyHeader: Record<string, string> = options.apiKey ? { 'x-api-key': options.apiKey } : {};
  const api = createClient<paths>({
    baseUrl,
    headers: apiKeyHeader,
    // A 307 to storage is part of the contract; callers see it and follow it when they choose.
    redirect: 'manual',
    fetch: retryingFetch(policy, baseFetch),
  });

  /** Sends a multipart POST, rebuilding the body for each attempt when the source can be read again. */
  async function postMultipart(
    url: string,
    headers: Record<string, string>,
    fields: Record<string, string>,
    source: UploadSource,
    options: UploadOptions,
  ): Promise<Response> {
    const file = {
      field: 'file',
      filename: options.filename ?? 'upload',
      contentType: options.contentType ?? 'application/octet-stream',
    };
    const makeRequest = () => {
      const { body, headers: bodyHeaders } = multipartBody(fields, file, source, options.onProgress);
      return new Request(url, {
        method: 'POST',
        body,
        headers: { ...headers, ...bodyHeaders },
        signal: options.signal,
        duplex: 'half',
      } as RequestInit);
    };
    return fetchWithRetry(makeRequest, isReplayable(source) ? policy : { retries: 0 }, baseFetch);
  }

  return {
    api,
    async uploadImage(source, uploadOptions = {}) {
      const response = await postMultipart(`${baseUrl}/images`, apiKeyHeader, {}, source, uploadOptions);
      uploadOptions.onResponse?.(response);
      if (response.status !== 201) throw await ImagestoreError.from(response);
      return (await response.json()) as Image;
    },
    async uploadDirect(source, uploadOptions = {}) {
      const started = orThrow(await api.POST('/images/uploads', { signal: uploadOptions.signal }));
      // Storage answers in its own format (S3: XML, 204 on success) and takes no API key.
      const stored = await postMultipart(started.url, {}, started.fields, source, uploadOptions);
      if (!stored.ok) {
        const text = await stored.text();
        throw new ImagestoreError(stored.status, undefined, `storage refused the upload (${stored.status}): ${text}`);
      }
      await stored.body?.cancel();
      const completed = await api.POST('/images/uploads/{uploadId}/complete', {
        params: { path: { uploadId: started.uploadId } },
        signal: uploadOptions.signal,
      });
      uploadOptions.onResponse?.(completed.response);
      return orThrow(completed);
    },
  };
}
