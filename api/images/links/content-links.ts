/**
 * What a link names: an image's original, or one of its variants. The edge negotiates a variant's format without
 * reading the original, so the link carries what negotiation needs from it: `fallback`, the original's family (the
 * format a client gets that takes neither AVIF nor WebP), and `animated` (an animated image is never AVIF).
 */
export type LinkedRepresentation =
  | { readonly kind: 'original' }
  | {
      readonly kind: 'variant';
      readonly preset: string;
      readonly fallback: 'jpeg' | 'png';
      readonly animated: boolean;
    };

/**
 * Port for the capability URLs the API returns for image bytes: each works without the API key, for one image
 * and one representation, until it expires. Bound to CloudFront signed URLs when the stage has a CDN, to links
 * the app signs and serves itself otherwise (`links.module.ts`).
 */
export abstract class ContentLinks {
  /** The origin the links point at when it is not the API's own (the CDN's), for a page's `img-src`. */
  abstract readonly origin: string | undefined;

  /** `basePath` is the public prefix the request came through (an API Gateway stage), used by app-signed links. */
  abstract linkTo(id: string, representation: LinkedRepresentation, basePath: string): string;

  /** Called after an image is deleted, so no cached copy outlives it longer than it must. */
  abstract forget(id: string): Promise<void>;
}
