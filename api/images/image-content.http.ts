import { create as contentDisposition } from 'content-disposition';
import type { Request, Response } from 'express';
import { AppError } from '../common/app-error';
import { IMAGE_EXTENSIONS, type ImageRecord } from './image-record';
import type { ByteRange } from './image-storage';

export type ContentDecision =
  | { readonly kind: 'not-modified' }
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly range: ByteRange };

export const etagOf = (record: ImageRecord) => `"${record.sha256}"`;

/** Headers that describe the representation; identical for 200, 206, 304 and HEAD. */
// An id's bytes never change, so clients may keep them; private because these are someone's photos.
export const CONTENT_CACHE_CONTROL = 'private, max-age=31536000, immutable';

// The client's name never reaches a header: the download name is built from the id alone.
export const contentDispositionOf = (record: ImageRecord) =>
  contentDisposition(`${record.id}.${IMAGE_EXTENSIONS[record.contentType]}`, { type: 'inline' });

export function setRepresentationHeaders(res: Response, record: ImageRecord): void {
  res.setHeader('ETag', etagOf(record));
  res.setHeader('Last-Modified', new Date(record.createdAt).toUTCString());
  res.setHeader('Cache-Control', CONTENT_CACHE_CONTROL);
  res.setHeader('Accept-Ranges', 'bytes');
}

/** Decides between 304, 206 and 200 from the conditional and range headers (RFC 9110 order). */
export function decideContent(req: Request, record: ImageRecord): ContentDecision {
  if (isNotModified(req, record)) return { kind: 'not-modified' };
  if (!req.headers.range || !ifRangeAllows(req, record)) return { kind: 'full' };
  const ranges = req.range(record.size, { combine: true });
  if (ranges === -1) {
    throw new AppError('RANGE_NOT_SATISFIABLE', `The image has ${record.size} bytes.`, {
      'Content-Range': `bytes */${record.size}`,
    });
  }
  // Malformed or multiple ranges: serving the whole representation is always a valid answer.
  if (ranges === -2 || ranges === undefined || ranges.type !== 'bytes' || ranges.length !== 1) return { kind: 'full' };
  return { kind: 'partial', range: { start: ranges[0].start, end: ranges[0].end } };
}

export function setBodyHeaders(res: Response, record: ImageRecord, range?: ByteRange): void {
  res.setHeader('Content-Type', record.contentType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', contentDispositionOf(record));
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${record.size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
  } else {
    res.status(200);
    res.setHeader('Content-Length', String(record.size));
  }
}

/**
 * RFC 9110 §13.1.2–13.1.3, evaluated by the origin whatever the request's Cache-Control says (`fresh` would
 * answer 200 to `no-cache`, which fetch() adds to every conditional request).
 */
function isNotModified(req: Request, record: ImageRecord): boolean {
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    const etag = etagOf(record);
    return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
  }
  const ifModifiedSince = Date.parse(req.get('if-modified-since') ?? '');
  return !Number.isNaN(ifModifiedSince) && lastModifiedMs(record) <= ifModifiedSince;
}

const lastModifiedMs = (record: ImageRecord) => Math.floor(Date.parse(record.createdAt) / 1000) * 1000;

function ifRangeAllows(req: Request, record: ImageRecord): boolean {
  const ifRange = req.get('if-range');
  if (!ifRange) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === etagOf(record);
  return Date.parse(ifRange) >= lastModifiedMs(record);
}
