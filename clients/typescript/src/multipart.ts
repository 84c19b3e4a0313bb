/** What an upload can read its bytes from. A function that opens a stream can be re-read, so it can be retried. */
export type UploadSource =
  | Uint8Array
  | Blob
  | { readonly open: () => ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>; readonly size?: number }
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>;

export interface UploadProgress {
  /** File bytes handed to the connection so far. */
  readonly loaded: number;
  /** File size, when known. */
  readonly total: number | undefined;
}

export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
}

const CHUNK_BYTES = 64 * 1024;
const encoder = new TextEncoder();

/** Whether the bytes can be read again for a retry (a bare stream cannot). */
export const isReplayable = (source: UploadSource) =>
  source instanceof Uint8Array || source instanceof Blob || (typeof source === 'object' && 'open' in source);

export function sizeOf(source: UploadSource): number | undefined {
  if (source instanceof Uint8Array) return source.byteLength;
  if (source instanceof Blob) return source.size;
  return 'open' in source ? source.size : undefined;
}

async function* chunksOf(source: UploadSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    for (let offset = 0; offset < source.byteLength; offset += CHUNK_BYTES) {
      yield source.subarray(offset, offset + CHUNK_BYTES);
    }
    return;
  }
  const stream = source instanceof Blob ? source.stream() : 'open' in source ? source.open() : source;
  yield* stream as AsyncIterable<Uint8Array>;
}

// RFC 7578 §4.2 as browsers do it: quotes and line breaks in a name are percent-encoded.
const quoted = (value: string) => `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;

/**
 * A multipart/form-data body (text fields first, then one file) streamed chunk by chunk, so progress follows
 * what the connection really takes. Content-Length is set whenever the file size is known.
 */
export function multipartBody(
  fields: Readonly<Record<string, string>>,
  file: MultipartFile,
  source: UploadSource,
  onProgress?: (progress: UploadProgress) => void,
): { body: ReadableStream<Uint8Array>; headers: Record<string, string> } {
  const boundary = `----imagestore${crypto.randomUUID().replace(/-/g, '')}`;
  const head = encoder.encode(
    Object.entries(fields)
      .map(
        ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`,
      )
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; filename=${quoted(file.filename)}\r\n` +
      `Content-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const total = sizeOf(source);
  let loaded = 0;
  let iterator: AsyncIterator<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
      onProgress?.({ loaded, total });
    },
    async pull(controller) {
      iterator ??= chunksOf(source)[Symbol.asyncIterator]();
      const next = await iterator.next();
      if (next.done) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      loaded += next.value.byteLength;
      controller.enqueue(next.value);
      onProgress?.({ loaded, total });
    },
    async cancel(reason) {
      await iterator?.return?.(reason);
    },
  });
  const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${boundary}` };
  if (total !== undefined) headers['content-length'] = String(head.byteLength + total + tail.byteLength);
  return { body, headers };
}
