import type { Readable } from 'node:stream';

/** supertest parser that keeps a response body as raw bytes whatever its content type. */
export function binaryBody(res: unknown, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const stream = res as Readable;
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}
