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

// An id's bytes never change, so clients may keep them; private because these are someone's photos.
export const CONTENT_CACHE_CONTROL = 'private, max-age=31536000, immutable';

// The client's name never reaches a header: the download name is built from the id alone.
export const contentDispositionOf = (record: ImageRecord) =>
  contentDisposition(`${record.id}.${IMAGE_EXTENSIONS[record.contentType]}`, { type: 'inline' });

/** Headers that describe the representation; identical for 200, 206, 304 and HEAD. */
export function setRepresentationHeaders(res: Response, record: ImageRecord): void {
  res.setHeader('ETag', etagOf(record));
  res.setHeader('Last-Modified', new Date(record.createdAt).toUTCString());
  res.setHeader('Cache-Control', CONTENT_CACHE_CONTROL);
  res.setHeader('Accept-Ranges', 'bytes');
}

/**
 * Decides between 412, 304, 206 and 200 from the conditional and range headers, in RFC 9110 §13.2.2's order.
 * Throws PRECONDITION_FAILED (412) or RANGE_NOT_SATISFIABLE (416).
 */
export function decideContent(req: Request, record: ImageRecord): ContentDecision {
  assertPreconditions(req, record);
  if (isNotModified(req, record)) return { kind: 'not-modified' };
  const rangeHeader = req.headers.range;
  if (!rangeHeader || !ifRangeAllows(req, record)) return { kind: 'full' };
  // A suffix longer than the image asks for all of it (RFC 9110 §14.1.3); range-parser calls that unsatisfiable.
  const suffix = /^bytes=\s*-(\d+)\s*$/.exec(rangeHeader)?.[1];
  if (suffix !== undefined && Number(suffix) >= record.size && record.size > 0) {
    return { kind: 'partial', range: { start: 0, end: record.size - 1 } };
  }
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

/**
 * If-Match and If-Unmodified-Since (RFC 9110 §13.1.1, §13.1.4): a client that holds a particular version
 * (say, before deleting it) hears 412 when the image is not that version. Strong comparison only.
 */
export function assertPreconditions(req: Request, record: ImageRecord): void {
  const ifMatch = req.get('if-match');
  if (ifMatch !== undefined) {
    if (etagListMatches(ifMatch, record, 'strong')) return;
    throw preconditionFailed('If-Match');
  }
  const ifUnmodifiedSince = Date.parse(req.get('if-unmodified-since') ?? '');
  if (!Number.isNaN(ifUnmodifiedSince) && lastModifiedMs(record) > ifUnmodifiedSince) {
    throw preconditionFailed('If-Unmodified-Since');
  }
}

/** Whether a request carries a precondition that needs the image's metadata before acting. */
export const hasPreconditions = (req: Request) =>
  req.headers['if-match'] !== undefined ||
  req.headers['if-unmodified-since'] !== undefined ||
  req.headers['if-none-match'] !== undefined;

/** For unsafe methods, If-None-Match is a precondition too: it fails when the image is the one named. */
export function assertPreconditionsForChange(req: Request, record: ImageRecord): void {
  assertPreconditions(req, record);
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch !== undefined && etagListMatches(ifNoneMatch, record, 'weak')) {
    throw preconditionFailed('If-None-Match');
  }
}

const preconditionFailed = (header: string) =>
  new AppError('PRECONDITION_FAILED', `The image does not satisfy the request's ${header} condition.`);

export function setBodyHeaders(res: Response, record: ImageRecord, range?: ByteRange): void {
  res.setHeader('Content-Type', record.contentType);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Should a browser ever render these bytes as a document, it may run nothing and load nothing.
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
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
  if (ifNoneMatch !== undefined) return etagListMatches(ifNoneMatch, record, 'weak');
  const ifModifiedSince = Date.parse(req.get('if-modified-since') ?? '');
  return !Number.isNaN(ifModifiedSince) && lastModifiedMs(record) <= ifModifiedSince;
}

/**
 * `*` or a list of entity tags (RFC 9110 §8.8.3.2): If-Match compares strongly (a `W/` tag never matches),
 * If-None-Match weakly (the `W/` prefix is ignored).
 */
function etagListMatches(header: string, record: ImageRecord, comparison: 'strong' | 'weak'): boolean {
  if (header.trim() === '*') return true;
  const etag = etagOf(record);
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return (comparison === 'weak' ? tag.replace(/^W\//, '') : tag) === etag;
  });
}

const lastModifiedMs = (record: ImageRecord) => Math.floor(Date.parse(record.createdAt) / 1000) * 1000;

function ifRangeAllows(req: Request, record: ImageRecord): boolean {
  const ifRange = req.get('if-range');
  if (!ifRange) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === etagOf(record);
  // A date validator must match Last-Modified exactly (RFC 9110 §13.1.5), not merely be later.
  return ifRange.trim() === new Date(lastModifiedMs(record)).toUTCString();
}
