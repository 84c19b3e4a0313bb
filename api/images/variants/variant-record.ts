import { IMAGE_ID_PATTERN } from '../image-record';

/** The formats a variant can be made in; the `format` query parameter takes these names. */
export const VARIANT_FORMATS = ['avif', 'webp', 'jpeg', 'png'] as const;
export type VariantFormat = (typeof VARIANT_FORMATS)[number];

export const VARIANT_CONTENT_TYPES = {
  avif: 'image/avif',
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  png: 'image/png',
} as const satisfies Record<VariantFormat, string>;
export type VariantContentType = (typeof VARIANT_CONTENT_TYPES)[VariantFormat];

const VARIANT_EXTENSIONS: Record<VariantFormat, string> = { avif: 'avif', webp: 'webp', jpeg: 'jpg', png: 'png' };

/** What storage keeps beside a variant's bytes, as it keeps an ImageRecord beside an original's. */
export interface VariantRecord {
  /** `<preset>.<extension>`, unique within its image; see `variantName`. */
  readonly name: string;
  readonly contentType: VariantContentType;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  /** Hex SHA-256 of the bytes; the variant's own strong ETag. */
  readonly sha256: string;
  /** ISO 8601 UTC; the variant's Last-Modified. */
  readonly createdAt: string;
}

/**
 * The same preset and format always give the same name, so every instance reads and writes the same key and
 * two instances making one variant at once leave a single copy.
 */
export const variantName = (preset: string, format: VariantFormat) => `${preset}.${VARIANT_EXTENSIONS[format]}`;

/** Checked by adapters before a name reaches a path or key: a preset name and a known extension, nothing else. */
export const VARIANT_NAME_PATTERN = /^([a-z0-9-]{1,32})\.(avif|webp|jpg|png)$/;

/** The preset and format a stored name stands for (`thumb.jpg` → thumb, jpeg); `undefined` for anything else. */
export function parseVariantName(name: string): { preset: string; format: VariantFormat } | undefined {
  const match = VARIANT_NAME_PATTERN.exec(name);
  const format = match && VARIANT_FORMATS.find((candidate) => VARIANT_EXTENSIONS[candidate] === match[2]);
  return format ? { preset: match[1]!, format } : undefined;
}

/** Whether an image id and variant name may be turned into a storage path or key (checked before any I/O). */
export const isVariantAddress = (imageId: string, name: string) =>
  IMAGE_ID_PATTERN.test(imageId) && VARIANT_NAME_PATTERN.test(name);

/** For writes: an address the service built itself, so a bad one is a bug, not a client's mistake. */
export function assertVariantAddress(imageId: string, name: string): void {
  if (!isVariantAddress(imageId, name)) throw new Error(`not a variant address: ${imageId}/${name}`);
}
