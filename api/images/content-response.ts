import type { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '../common/app-error';
import { sendStream } from '../common/send-stream';
import type { ContentDelivery, Delivery } from './delivery/content-delivery';
import type { Representation, RepresentationSource } from './delivery/representation';
import { CONTENT_CACHE_CONTROL, contentDispositionOf } from './delivery/representation-headers';
import { etagOf, type RequestConditions } from './delivery/request-conditions';

/** The request's conditional and range headers, read once. */
export function conditionsOf(req: Request): RequestConditions {
  return {
    method: req.method === 'HEAD' ? 'HEAD' : 'GET',
    ifMatch: req.get('if-match'),
    ifNoneMatch: req.get('if-none-match'),
    ifModifiedSince: req.get('if-modified-since'),
    ifUnmodifiedSince: req.get('if-unmodified-since'),
    ifRange: req.get('if-range'),
    range: req.get('range'),
  };
}

/**
 * What every route that serves bytes does once it knows the source: decide the delivery from the request's
 * conditions and answer it. `negotiated` says the format came from Accept, so caches must key on it.
 */
export async function sendRepresentation(
  req: Request,
  res: Response,
  delivery: ContentDelivery,
  source: RepresentationSource,
  logger: Logger,
  negotiated = false,
): Promise<void> {
  if (negotiated) res.vary('Accept');
  await respondWithDelivery(res, await delivery.deliver(source, conditionsOf(req), () => !res.destroyed), logger);
}

/** Turns a delivery decision into status, headers and (for GET) the streamed bytes. */
export async function respondWithDelivery(res: Response, delivery: Delivery, logger: Logger): Promise<void> {
  switch (delivery.kind) {
    case 'client-gone':
      res.destroy();
      return;
    case 'precondition-failed':
      throw new AppError(
        'PRECONDITION_FAILED',
        `The image does not satisfy the request's ${delivery.header} condition.`,
      );
    case 'range-not-satisfiable':
      throw new AppError('RANGE_NOT_SATISFIABLE', `The image has ${delivery.representation.size} bytes.`, {
        'Content-Range': `bytes */${delivery.representation.size}`,
      });
    case 'redirect':
      // The URL expires; neither it nor this answer may be cached. 307 keeps the method.
      res.setHeader('Cache-Control', 'private, no-store');
      res.redirect(307, delivery.url);
      return;
    case 'not-modified':
      setRepresentationHeaders(res, delivery.representation);
      res.status(304).end();
      return;
    case 'send': {
      const { representation, range, body } = delivery;
      setRepresentationHeaders(res, representation);
      setBodyHeaders(res, representation, range);
      if (!body) {
        res.end();
        return;
      }
      await sendStream(body, res, (error) => logger.warn({ err: error }, 'image stream ended early'));
    }
  }
}

/** Headers that describe the representation; identical for 200, 206, 304 and HEAD. */
function setRepresentationHeaders(res: Response, representation: Representation): void {
  res.setHeader('ETag', etagOf(representation));
  res.setHeader('Last-Modified', new Date(representation.createdAt).toUTCString());
  res.setHeader('Cache-Control', CONTENT_CACHE_CONTROL);
  res.setHeader('Accept-Ranges', 'bytes');
}

function setBodyHeaders(
  res: Response,
  representation: Representation,
  range: { start: number; end: number } | undefined,
): void {
  res.setHeader('Content-Type', representation.contentType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Should a browser ever render these bytes as a document, it may run nothing and load nothing.
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Content-Disposition', contentDispositionOf(representation));
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${representation.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(representation.size));
  }
}
