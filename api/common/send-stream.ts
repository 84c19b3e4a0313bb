import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Streams `body` into `res` and guarantees `body` is destroyed (its file closed, its S3 request aborted) however
 * the response ends: finished, the client hung up, or the pipe failed, including a response that was already
 * closed before the pipe started, which `pipeline` alone does not notice.
 */
export async function sendStream(body: Readable, res: ServerResponse, onEarlyEnd: (error: unknown) => void) {
  const release = () => {
    if (!body.destroyed) body.destroy();
  };
  res.once('close', release);
  if (res.destroyed) {
    release();
    return;
  }
  try {
    await pipeline(body, res);
  } catch (error) {
    // Headers are gone by now; the client sees a cut connection, which is the truthful outcome.
    onEarlyEnd(error);
    res.destroy();
  } finally {
    release();
  }
}
