import Negotiator from 'negotiator';
import type { ImageRecord } from '../image-record';
import { VARIANT_CONTENT_TYPES, type VariantFormat } from './variant-record';

/**
 * The format for a request that named none: the first of AVIF, WebP and the original's own family (JPEG for a
 * JPEG, PNG for everything else, which keeps transparency) that the client's Accept allows; `q=0` rules a type
 * out. An animated original skips AVIF, so the answer keeps moving as animated WebP where the client takes it.
 * A client that accepts none of them still gets the family format (RFC 9110 §12.5.1 allows ignoring Accept),
 * which every browser can show.
 */
export function negotiateFormat(
  accept: string | undefined,
  original: Pick<ImageRecord, 'contentType' | 'animated'>,
): VariantFormat {
  const family: VariantFormat = original.contentType === 'image/jpeg' ? 'jpeg' : 'png';
  const candidates: VariantFormat[] = original.animated ? ['webp', family] : ['avif', 'webp', family];
  const acceptable = new Set(
    new Negotiator({ headers: { accept } }).mediaTypes(candidates.map((format) => VARIANT_CONTENT_TYPES[format])),
  );
  return candidates.find((format) => acceptable.has(VARIANT_CONTENT_TYPES[format])) ?? family;
}
