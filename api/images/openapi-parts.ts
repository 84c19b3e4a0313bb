// Pieces the OpenAPI declarations of the images routes share: ids, headers of stored representations, and the
// conditional and range request headers. The declarations themselves are in images.openapi.ts and
// content.openapi.ts.
import { ApiHeader, ApiParam, type ApiResponseSchemaHost } from '@nestjs/swagger';
import type { ErrorCode } from '../common/app-error';
import { ALLOWED_IMAGE_TYPES, IMAGE_ID_PATTERN } from './image-record';

export type HeadersObject = NonNullable<ApiResponseSchemaHost['headers']>;

export const EXAMPLE_ID = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';
export const EXAMPLE_ETAG = '"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"';
export const EXAMPLE_DATE = 'Sat, 28 Nov 2026 09:30:00 GMT';

export const IdParam = () =>
  ApiParam({
    name: 'id',
    description: 'Image id (UUIDv7).',
    schema: { type: 'string', format: 'uuid', pattern: IMAGE_ID_PATTERN.source, example: EXAMPLE_ID },
  });

export const header = (description: string, example: string, pattern?: string) => ({
  description,
  required: true,
  schema: { type: 'string', example, ...(pattern ? { pattern } : {}) },
});

/** The refusals of every check an uploaded image goes through (POST /images and a completed direct upload). */
export const IMAGE_CHECK_CODES: ErrorCode[] = [
  'EMPTY_FILE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_IMAGE',
  'IMAGE_TOO_MANY_PIXELS',
  'IMAGE_TOO_LARGE_DIMENSIONS',
  'IMAGE_TOO_COMPLEX',
  'STORAGE_UNAVAILABLE',
  'UPLOAD_OUTCOME_UNKNOWN',
  'SERVER_BUSY',
];

export const LOCATION = header('URL of the new image’s metadata (relative to the host).', `/images/${EXAMPLE_ID}`);

/** ETag, Last-Modified, Cache-Control and Accept-Ranges: the same on 200, 206, 304 and HEAD. */
export const REPRESENTATION_HEADERS: HeadersObject = {
  ETag: header('Strong entity tag: the quoted hex SHA-256 of the bytes.', EXAMPLE_ETAG, '^"[0-9a-f]{64}"$'),
  'Last-Modified': header('When the image was stored (HTTP date).', EXAMPLE_DATE),
  'Cache-Control': header('An id’s bytes never change.', 'private, max-age=31536000, immutable'),
  'Accept-Ranges': header('Single byte ranges are served.', 'bytes', '^bytes$'),
};

export const BODY_HEADERS: HeadersObject = {
  'Content-Length': { ...header('Bytes in this body.', '245120', '^[0-9]+$') },
  'Content-Disposition': header(
    'Inline, with a file name made from the id (never the client’s name).',
    `inline; filename="${EXAMPLE_ID}.jpg"`,
    '^inline; filename=',
  ),
  'X-Content-Type-Options': header('Browsers must not sniff another type.', 'nosniff', '^nosniff$'),
  'Content-Security-Policy': header(
    'Rendered as a document, the bytes may run and load nothing.',
    "default-src 'none'; sandbox",
  ),
};

export const imageBytes = (description: string) =>
  Object.fromEntries(
    ALLOWED_IMAGE_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary', description } }]),
  );

export const CONDITIONAL_HEADERS = [
  ApiHeader({
    name: 'If-None-Match',
    required: false,
    description: 'ETags held: 304 if one matches (weak comparison).',
  }),
  ApiHeader({
    name: 'If-Modified-Since',
    required: false,
    description: '304 unless stored later; ignored with If-None-Match.',
  }),
  ApiHeader({
    name: 'If-Match',
    required: false,
    description: '412 unless the image has one of these ETags (strong).',
  }),
  ApiHeader({ name: 'If-Unmodified-Since', required: false, description: '412 if the image was stored later.' }),
  ApiHeader({ name: 'Range', required: false, description: 'One byte range, e.g. `bytes=0-1023` or `bytes=-500`.' }),
  ApiHeader({
    name: 'If-Range',
    required: false,
    description: 'Apply Range only if this ETag or HTTP date is current.',
  }),
];
