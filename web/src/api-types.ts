/**
 * The API's shapes as the gallery reads them (api/images/dto/image.dto.ts), in one place.
 *
 * `links.content` is the original; `links.variants` maps a preset name (thumb, small, medium, large…) to its
 * URL, `variants` gives this image's size in each preset so `srcset` needs no guessing, and `placeholder` is a
 * base64 ThumbHash shown until the bytes arrive. When the variant fields are absent the gallery shows the original.
 */
export interface ImageLinks {
  readonly self: string;
  readonly content: string;
  readonly variants?: Readonly<Record<string, string>>;
}

export interface Image {
  readonly id: string;
  readonly contentType: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly sha256: string;
  readonly originalName: string | null;
  readonly createdAt: string;
  readonly links: ImageLinks;
  readonly variants?: Readonly<Record<string, { readonly width: number; readonly height: number }>>;
  readonly placeholder?: string | null;
}

export interface ImagePage {
  readonly items: readonly Image[];
  readonly nextCursor: string | null;
}

/** POST /images/uploads (S3 only): a presigned POST straight to the bucket. */
export interface DirectUpload {
  readonly uploadId: string;
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly maxBytes: number;
  readonly expiresAt: string;
  readonly completeUrl: string;
}

/** The one error envelope every route answers with. */
export interface ErrorEnvelope {
  readonly statusCode: number;
  readonly error: string;
  readonly code: string;
  readonly message: string;
  readonly requestId: string;
}
