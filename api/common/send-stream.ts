import type { ServerResponse } from 'node:http';
import { finished, type Readable } from 'node:stream';

/**
 * Streams `body` into `res` and guarantees `body` is destroyed (its file closed, its S3 request aborted) however
 * the response ends: finished, the client hung up, or the pipe failed, including a response that was already
 * closed before the pipe started. `onEarlyEnd` hears any end but a finished response.
 *
 * `pipe` and callback `finished` rather than `stream/promises` `pipeline`, which builds an AbortController and
 * aborts it (a DOMException with a stack) on every response, a measurable part of serving a small image.
 */
export function sendStream(body: Readable, res: ServerResponse, onEarlyEnd: (error: unknown) => void): Promise<void> {
  const release = () => {
    if (!body.destroyed) body.destroy();
  };
  res.once('close', release);
  if (res.destroyed) {
    release();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (error?: Error | null) => {
      if (settled) return;
      settled = true;
      stopWatchingBody();
      stopWatchingResponse();
      if (error) {
        // Headers are gone by now; the client sees a cut connection, which is the truthful outcome.
        onEarlyEnd(error);
        res.destroy();
      }
      release();
      resolve();
    };
    // The body ending is not the response ending; only its failure settles.
    const stopWatchingBody = finished(body, (error) => error && settle(error));
    const stopWatchingResponse = finished(res, settle);
    body.pipe(res);
  });
}
