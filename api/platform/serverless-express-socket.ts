import type { ServerResponse } from 'node:http';

type SocketWrite = (data: unknown, encoding?: unknown, callback?: unknown) => boolean;

/**
 * serverless-express's in-memory socket acknowledges writes synchronously, so `finish` fires inside `end()`
 * before Node marks the response ended, and pino-http then logs every request as "request aborted". A real
 * socket acknowledges on a later tick; so does this one now. platform.spec.ts fails if serverless-express
 * starts acknowledging asynchronously itself (then this can go).
 */
export function deferWriteCallbacks(response: ServerResponse): void {
  const socket = response.socket as unknown as { write: SocketWrite } | null;
  if (!socket) return;
  const write = socket.write;
  socket.write = (data, encoding, callback) => {
    const done = typeof encoding === 'function' ? encoding : callback;
    const ack = typeof done === 'function' ? () => process.nextTick(done as () => void) : undefined;
    return write(data, typeof encoding === 'function' ? undefined : encoding, ack);
  };
}
