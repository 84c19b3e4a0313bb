export interface ContentLinkOptions {
  readonly expiresSeconds: number;
  readonly contentType: string;
  /** Response headers the store must send with the bytes, since the service is no longer in the path. */
  readonly contentDisposition: string;
  readonly cacheControl: string;
}

/**
 * Port for serving bytes without passing them through the service: an object store signs a short-lived URL
 * for one image. Lambda cannot answer with more than 6 MB, so images that arrived by direct upload are
 * fetched this way. Without an object store there is no provider and every image is streamed.
 */
export interface ContentLinkSigner {
  signContentLink(id: string, options: ContentLinkOptions): Promise<string>;

  /** The same for a stored variant of the image (`name` as in `variantName`). */
  signVariantLink(imageId: string, name: string, options: ContentLinkOptions): Promise<string>;
}
