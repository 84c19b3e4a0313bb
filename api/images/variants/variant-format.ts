import Negotiator from 'negotiator';
import type { ImageRecord } from '../image-record';
import { VARIANT_CONTENT_TYPES, type VariantFormat } from './variant-record';

/**
 * The format for a request that named none: AVIF or WebP where Accept names it with a non-zero quality, else the
 * original's family (see `familyOf`), which every client can show (RFC 9110 §12.5.1 allows ignoring Accept).
 * Wildcard ranges do not count: they come from clients (curl, old libraries) that often cannot decode AVIF or
 * WebP. An animated original skips AVIF, so the answer keeps moving as animated WebP where the client takes
 * it. The CDN's viewer-request function (infra: variant-request.js) decides exactly so, for the same links.
 */
export function negotiateFormat(
  accept: string | undefined,
  original: Pick<ImageRecord, 'contentType' | 'animated'>,
): VariantFormat {
  const named = new Set(new Negotiator({ headers: { accept } }).mediaTypes().map((type) => type.toLowerCase()));
  if (!original.animated && named.has(VARIANT_CONTENT_TYPES.avif)) return 'avif';
  if (named.has(VARIANT_CONTENT_TYPES.webp)) return 'webp';
  return familyOf(original);
}

/** JPEG for a JPEG, PNG for everything else (it keeps transparency): what a client that takes nothing newer gets. */
export const familyOf = (original: Pick<ImageRecord, 'contentType'>): 'jpeg' | 'png' =>
  original.contentType === 'image/jpeg' ? 'jpeg' : 'png';
