import parseRange from 'range-parser';
import type { ByteRange } from '../image-storage';
import type { Representation } from './representation';

/** A request's method and conditional/range headers, as plain values: what delivery decides from. */
export interface RequestConditions {
  readonly method: 'GET' | 'HEAD';
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: string;
  readonly ifUnmodifiedSince?: string;
  readonly ifRange?: string;
  readonly range?: string;
}

/** Whether the answer depends on the representation's metadata before any byte is read. */
export const needsMetadataFirst = (c: RequestConditions) =>
  c.method === 'HEAD' ||
  c.range !== undefined ||
  c.ifMatch !== undefined ||
  c.ifNoneMatch !== undefined ||
  c.ifModifiedSince !== undefined ||
  c.ifUnmodifiedSince !== undefined;

export const etagOf = (representation: Pick<Representation, 'sha256'>) => `"${representation.sha256}"`;

export type ReadDecision =
  | { readonly kind: 'precondition-failed'; readonly header: string }
  | { readonly kind: 'not-modified' }
  | { readonly kind: 'range-not-satisfiable' }
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly range: ByteRange };

/** 412, 304, 416, 206 or 200 for a safe method, in RFC 9110 §13.2.2's order. */
export function decideRead(c: RequestConditions, representation: Representation): ReadDecision {
  const failed = failedPrecondition(c, representation);
  if (failed) return { kind: 'precondition-failed', header: failed };
  if (isNotModified(c, representation)) return { kind: 'not-modified' };
  if (c.range === undefined || !ifRangeAllows(c, representation)) return { kind: 'full' };
  const { size } = representation;
  // A suffix longer than the representation asks for all of it (RFC 9110 §14.1.3); range-parser calls that
  // unsatisfiable.
  const suffix = /^bytes=\s*-(\d+)\s*$/.exec(c.range)?.[1];
  if (suffix !== undefined && Number(suffix) >= size && size > 0) {
    return { kind: 'partial', range: { start: 0, end: size - 1 } };
  }
  const ranges = parseRange(size, c.range, { combine: true });
  if (ranges === -1) return { kind: 'range-not-satisfiable' };
  // Malformed or multiple ranges: serving the whole representation is always a valid answer.
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return { kind: 'full' };
  return { kind: 'partial', range: { start: ranges[0].start, end: ranges[0].end } };
}

/**
 * For unsafe methods (DELETE): If-Match and If-Unmodified-Since as for reads, and If-None-Match fails when the
 * representation is the one named. Returns the header that failed, if any.
 */
export function failedChangePrecondition(c: RequestConditions, representation: Representation): string | undefined {
  const failed = failedPrecondition(c, representation);
  if (failed) return failed;
  if (c.ifNoneMatch !== undefined && etagListMatches(c.ifNoneMatch, representation, 'weak')) return 'If-None-Match';
  return undefined;
}

export const hasChangePreconditions = (c: RequestConditions) =>
  c.ifMatch !== undefined || c.ifUnmodifiedSince !== undefined || c.ifNoneMatch !== undefined;

/**
 * If-Match and If-Unmodified-Since (RFC 9110 §13.1.1, §13.1.4): a client that holds a particular version hears
 * 412 when the representation is not that version. Strong comparison only.
 */
function failedPrecondition(c: RequestConditions, representation: Representation): string | undefined {
  if (c.ifMatch !== undefined) {
    return etagListMatches(c.ifMatch, representation, 'strong') ? undefined : 'If-Match';
  }
  const ifUnmodifiedSince = Date.parse(c.ifUnmodifiedSince ?? '');
  if (!Number.isNaN(ifUnmodifiedSince) && lastModifiedMs(representation) > ifUnmodifiedSince) {
    return 'If-Unmodified-Since';
  }
  return undefined;
}

/**
 * RFC 9110 §13.1.2–13.1.3, evaluated by the origin whatever the request's Cache-Control says (`fresh` would
 * answer 200 to `no-cache`, which fetch() adds to every conditional request).
 */
function isNotModified(c: RequestConditions, representation: Representation): boolean {
  if (c.ifNoneMatch !== undefined) return etagListMatches(c.ifNoneMatch, representation, 'weak');
  const ifModifiedSince = Date.parse(c.ifModifiedSince ?? '');
  return !Number.isNaN(ifModifiedSince) && lastModifiedMs(representation) <= ifModifiedSince;
}

/**
 * `*` or a list of entity tags (RFC 9110 §8.8.3.2): If-Match compares strongly (a `W/` tag never matches),
 * If-None-Match weakly (the `W/` prefix is ignored).
 */
function etagListMatches(header: string, representation: Representation, comparison: 'strong' | 'weak'): boolean {
  if (header.trim() === '*') return true;
  const etag = etagOf(representation);
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return (comparison === 'weak' ? tag.replace(/^W\//, '') : tag) === etag;
  });
}

/** HTTP dates have whole seconds; comparisons use the date the client was given. */
export const lastModifiedMs = (representation: Pick<Representation, 'createdAt'>) =>
  Math.floor(Date.parse(representation.createdAt) / 1000) * 1000;

function ifRangeAllows(c: RequestConditions, representation: Representation): boolean {
  const ifRange = c.ifRange;
  if (!ifRange) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith('W/')) return ifRange === etagOf(representation);
  // A date validator must match Last-Modified exactly (RFC 9110 §13.1.5), not merely be later.
  return ifRange.trim() === new Date(lastModifiedMs(representation)).toUTCString();
}
