// The OpenAPI declarations of ImagesController, one composed decorator per route, so the controller stays about
// HTTP handling. What decorators cannot say (HEAD operations, headers on every response, limits from config) is
// added in api/swagger.ts.
import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  type ApiResponseSchemaHost,
} from '@nestjs/swagger';

type HeadersObject = NonNullable<ApiResponseSchemaHost['headers']>;
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import type { ErrorCode } from '../common/app-error';
import { ImageDto, ImagePageDto } from './dto/image.dto';
import { ALLOWED_IMAGE_TYPES, IMAGE_ID_PATTERN } from './image-record';
import { UPLOAD_FIELD } from './image-upload.interceptor';

const EXAMPLE_ID = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';
const EXAMPLE_ETAG = '"b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"';
const EXAMPLE_DATE = 'Sat, 28 Nov 2026 09:30:00 GMT';

const IdParam = () =>
  ApiParam({
    name: 'id',
    description: 'Image id (UUIDv7).',
    schema: { type: 'string', format: 'uuid', pattern: IMAGE_ID_PATTERN.source, example: EXAMPLE_ID },
  });

const header = (description: string, example: string, pattern?: string) => ({
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
const REPRESENTATION_HEADERS: HeadersObject = {
  ETag: header('Strong entity tag: the quoted hex SHA-256 of the bytes.', EXAMPLE_ETAG, '^"[0-9a-f]{64}"$'),
  'Last-Modified': header('When the image was stored (HTTP date).', EXAMPLE_DATE),
  'Cache-Control': header('An id’s bytes never change.', 'private, max-age=31536000, immutable'),
  'Accept-Ranges': header('Single byte ranges are served.', 'bytes', '^bytes$'),
};

const BODY_HEADERS: HeadersObject = {
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

const imageBytes = (description: string) =>
  Object.fromEntries(
    ALLOWED_IMAGE_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary', description } }]),
  );

const CONDITIONAL_HEADERS = [
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

export const UploadImageDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'uploadImage',
      summary: 'Upload an image',
      description:
        'JPEG, PNG, WebP, GIF or AVIF, decided from the bytes. The image is re-encoded to drop metadata such as GPS location.',
    }),
    ApiConsumes('multipart/form-data'),
    ApiBody({
      schema: {
        type: 'object',
        required: [UPLOAD_FIELD],
        properties: { [UPLOAD_FIELD]: { type: 'string', format: 'binary', description: 'The image file.' } },
      },
    }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'IETF httpapi Idempotency-Key draft, e.g. `"8e03978e-40d5-43e8-bc93-6894a57f9324"`. A retry with the same key ' +
        'and file gets the first image (201, `Idempotent-Replayed: true`) instead of a copy; keys expire after ' +
        'IDEMPOTENCY_KEY_TTL_SECONDS.',
    }),
    ApiResponse({
      status: 201,
      type: ImageDto,
      description: 'Stored (or, for a repeated Idempotency-Key, stored earlier).',
      headers: {
        Location: LOCATION,
        'Idempotent-Replayed': {
          description: '`true` when this answers an earlier request with the same Idempotency-Key.',
          required: false,
          schema: { type: 'string', enum: ['true'] },
        },
      },
    }),
    ApiErrorResponses(
      'MISSING_FILE',
      'TOO_MANY_FILES',
      'INVALID_MULTIPART',
      'INVALID_IDEMPOTENCY_KEY',
      'IDEMPOTENCY_KEY_IN_USE',
      'IDEMPOTENCY_KEY_MISMATCH',
      ...IMAGE_CHECK_CODES,
    ),
  );

export const ListImagesDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'listImages',
      summary: 'List images',
      description: 'Oldest first (ascending id, which is upload order). Follow nextCursor for more.',
    }),
    ApiResponse({ status: 200, type: ImagePageDto, description: 'One page.' }),
    ApiErrorResponses('VALIDATION_FAILED', 'INVALID_CURSOR', 'STORAGE_UNAVAILABLE'),
  );

export const GetImageDocs = () =>
  applyDecorators(
    ApiOperation({ operationId: 'getImage', summary: 'Get image metadata' }),
    IdParam(),
    ApiResponse({ status: 200, type: ImageDto, description: 'The metadata.' }),
    ApiErrorResponses('INVALID_IMAGE_ID', 'IMAGE_NOT_FOUND', 'STORAGE_UNAVAILABLE'),
  );

export const GetImageContentDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'getImageContent',
      summary: 'Download the image bytes',
      description:
        'Conditional (If-None-Match / If-Modified-Since → 304; If-Match / If-Unmodified-Since → 412) and ranged (one byte range → 206, optionally under If-Range), evaluated in RFC 9110 §13.2.2 order. On S3, images bigger than CONTENT_REDIRECT_BYTES redirect (307) to a short-lived presigned URL. HEAD answers the same headers without a body.',
    }),
    IdParam(),
    ...CONDITIONAL_HEADERS,
    ...contentResponses(),
    ApiErrorResponses(
      'INVALID_IMAGE_ID',
      'IMAGE_NOT_FOUND',
      'PRECONDITION_FAILED',
      'RANGE_NOT_SATISFIABLE',
      'STORAGE_UNAVAILABLE',
    ),
  );

export const DeleteImageDocs = () =>
  applyDecorators(
    ApiOperation({ operationId: 'deleteImage', summary: 'Delete an image' }),
    IdParam(),
    ApiHeader({ name: 'If-Match', required: false, description: 'Delete only if the image has one of these ETags.' }),
    ApiHeader({ name: 'If-Unmodified-Since', required: false, description: 'Delete only if not stored later.' }),
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'Delete only if the image has none of these ETags.',
    }),
    ApiResponse({ status: 204, description: 'Deleted.' }),
    ApiErrorResponses('INVALID_IMAGE_ID', 'IMAGE_NOT_FOUND', 'PRECONDITION_FAILED', 'STORAGE_UNAVAILABLE'),
  );

export const GetImageVariantDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'getImageVariant',
      summary: 'Download a sized copy of the image',
      description:
        'The image fitted inside the preset’s box (IMAGE_VARIANTS, e.g. thumb = 256 px on the longest side), never enlarged. Without `format`, the first of AVIF, WebP and the original’s family (JPEG for JPEG, PNG otherwise) that Accept allows, with `Vary: Accept`; animated images keep their animation as WebP, other formats take the first frame. Made on first request (under the same processing limits as uploads, so 503 SERVER_BUSY is possible), then stored and served like /content: its own ETag, HEAD, 304/412, a single Range (206/416), and a 307 to the store when too big to pass through.',
    }),
    IdParam(),
    ApiParam({ name: 'preset', description: 'A preset name from IMAGE_VARIANTS.', example: 'thumb' }),
    ApiHeader({ name: 'Accept', required: false, description: 'e.g. `image/avif,image/webp,*/*`; `q=0` excludes.' }),
    ...CONDITIONAL_HEADERS,
    ApiResponse({
      status: 200,
      description: 'The variant’s bytes.',
      headers: { ...REPRESENTATION_HEADERS, ...BODY_HEADERS, Vary: VARY_ACCEPT },
      content: variantBytes('The stored variant.'),
    }),
    ApiResponse({
      status: 206,
      description: 'The requested byte range of the variant.',
      headers: {
        ...REPRESENTATION_HEADERS,
        ...BODY_HEADERS,
        Vary: VARY_ACCEPT,
        'Content-Range': header(
          'The range served and the full size.',
          'bytes 0-1023/8120',
          '^bytes [0-9]+-[0-9]+/[0-9]+$',
        ),
      },
      content: variantBytes('The bytes of the range.'),
    }),
    ApiResponse({
      status: 304,
      description: 'Not modified; no body.',
      headers: { ...REPRESENTATION_HEADERS, Vary: VARY_ACCEPT },
    }),
    ApiResponse({
      status: 307,
      description: 'S3 only: a variant bigger than CONTENT_REDIRECT_BYTES is served from a presigned URL.',
      headers: {
        Location: header('The presigned URL.', 'https://my-bucket.s3.eu-west-1.amazonaws.com/variants/…'),
        'Cache-Control': header('The URL expires; never cache this answer.', 'private, no-store'),
      },
      content: {
        'text/plain': { schema: { type: 'string', example: 'Temporary Redirect. Redirecting to https://…' } },
        'text/html': { schema: { type: 'string' } },
      },
    }),
    ApiErrorResponses(
      'VALIDATION_FAILED',
      'INVALID_IMAGE_ID',
      'IMAGE_NOT_FOUND',
      'VARIANT_NOT_FOUND',
      'PRECONDITION_FAILED',
      'RANGE_NOT_SATISFIABLE',
      'IMAGE_TOO_COMPLEX',
      'INVALID_IMAGE',
      'STORAGE_UNAVAILABLE',
      'SERVER_BUSY',
    ),
  );

const VARY_ACCEPT = {
  ...header('`Accept` when the format was negotiated (no `format` parameter).', 'Accept'),
  required: false,
};

const variantBytes = (description: string) =>
  Object.fromEntries(
    ['image/avif', 'image/webp', 'image/jpeg', 'image/png'].map((type) => [
      type,
      { schema: { type: 'string', format: 'binary', description } },
    ]),
  );

/** 200, 206, 304 and 307 of an original's bytes, wherever they are read from. */
const contentResponses = () => [
  ApiResponse({
    status: 200,
    description: 'The bytes.',
    headers: { ...REPRESENTATION_HEADERS, ...BODY_HEADERS },
    content: imageBytes('The stored image.'),
  }),
  ApiResponse({
    status: 206,
    description: 'The requested byte range.',
    headers: {
      ...REPRESENTATION_HEADERS,
      ...BODY_HEADERS,
      'Content-Range': header(
        'The range served and the full size.',
        'bytes 0-1023/245120',
        '^bytes [0-9]+-[0-9]+/[0-9]+$',
      ),
    },
    content: imageBytes('The bytes of the range.'),
  }),
  ApiResponse({ status: 304, description: 'Not modified; no body.', headers: REPRESENTATION_HEADERS }),
  ApiResponse({
    status: 307,
    description:
      'S3 only: an image bigger than CONTENT_REDIRECT_BYTES is served from a presigned URL valid for CONTENT_URL_EXPIRES_SECONDS; the method (GET, with its Range) is repeated there.',
    headers: {
      Location: header('The presigned URL.', 'https://my-bucket.s3.eu-west-1.amazonaws.com/images/…?X-Amz-Signature=…'),
      'Cache-Control': header('The URL expires; never cache this answer.', 'private, no-store'),
    },
    // Express's redirect notice, negotiated from Accept (empty for any other type).
    content: {
      'text/plain': { schema: { type: 'string', example: 'Temporary Redirect. Redirecting to https://…' } },
      'text/html': { schema: { type: 'string' } },
    },
  }),
];

export const GetSignedImageContentDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'getSignedImageContent',
      summary: 'Download the image bytes through a signed link',
      description:
        'The URL in `links.content`: needs no API key, works for that image only, until `expires`. Otherwise exactly like GET /images/{id}/content.',
    }),
    IdParam(),
    ApiQuery({ name: 'expires', description: 'Unix time the link stops working.', example: '1796212800' }),
    ApiQuery({
      name: 'signature',
      description: 'HMAC-SHA256 of the path and expiry (base64url).',
      example: 'q5k0mYvQ0n1yYb8nQ3t2W1m8b1bq2m8q0b9m0n1y2bQ',
    }),
    ...CONDITIONAL_HEADERS,
    ...contentResponses(),
    ApiErrorResponses(
      'INVALID_IMAGE_ID',
      'INVALID_SIGNATURE',
      'LINK_EXPIRED',
      'IMAGE_NOT_FOUND',
      'PRECONDITION_FAILED',
      'RANGE_NOT_SATISFIABLE',
      'STORAGE_UNAVAILABLE',
    ),
  );
