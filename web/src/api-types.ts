/**
 * The API's shapes as the gallery reads them, in one place so they can be swapped for the generated client's
 * types (clients/typescript/) once it exists.
 *
 * `links.content` is what every image has today (api/images/dto/image.dto.ts). The optional fields arrive with
 * image variants: `links.variants` maps a preset name (thumb, small, medium, large…) to its URL,
 * `variantWidths` gives each preset's width for this image so `srcset` needs no guessing, and `placeholder` is a
 * base64 ThumbHash shown until the bytes arrive. When they are absent the gallery falls back to the original.
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
  readonly variantWidths?: Readonly<Record<string, number>>;
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
