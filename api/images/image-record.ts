/** What the service knows about a stored image; kept beside the bytes by every storage adapter. */
export interface ImageRecord {
  /** UUIDv7: URL-safe and time-ordered, so key order is upload order. */
  readonly id: string;
  /** Sniffed from the bytes, never taken from the client. */
  readonly contentType: AllowedImageType;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  /** Hex SHA-256 of the stored bytes; also the strong ETag. */
  readonly sha256: string;
  /** The client's file name after sanitizing; display only, never used in a path or header. */
  readonly originalName: string | null;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  /**
   * A ThumbHash (base64, about 30 characters) of the image: a blurred preview a client can draw before any
   * byte of the image arrives. `null` for images stored before placeholders existed.
   */
  readonly placeholder: string | null;
  /** More than one frame (GIF or WebP): decides which variant formats keep the animation. */
  readonly animated: boolean;
}

export const ALLOWED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'] as const;
export type AllowedImageType = (typeof ALLOWED_IMAGE_TYPES)[number];

export const isAllowedImageType = (value: string | undefined): value is AllowedImageType =>
  (ALLOWED_IMAGE_TYPES as readonly string[]).includes(value ?? '');

export const IMAGE_EXTENSIONS: Record<AllowedImageType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
};

/** Canonical lowercase UUIDv7; checked before any storage call so hostile ids never reach a path or key. */
export const IMAGE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
