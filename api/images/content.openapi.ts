// The OpenAPI declarations of the routes that serve stored bytes: an original's content, a variant, and the
// same content through a signed link. They share one set of responses, as they share one delivery decision.
import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import {
  BODY_HEADERS,
  CONDITIONAL_HEADERS,
  header,
  IdParam,
  imageBytes,
  REPRESENTATION_HEADERS,
} from './openapi-parts';

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
    ...variantResponses(),
    ApiErrorResponses(...VARIANT_ERRORS),
  );

export const GetSignedImageVariantDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'getSignedImageVariant',
      summary: 'Download a sized copy through a signed link',
      description:
        'A URL in `links.variants`: needs no API key, works for that image and preset only, until `expires`; any `format` (or none, to negotiate from Accept). Otherwise exactly like GET /images/{id}/variants/{preset}.',
    }),
    IdParam(),
    ApiParam({ name: 'preset', description: 'A preset name from IMAGE_VARIANTS.', example: 'thumb' }),
    ApiHeader({ name: 'Accept', required: false, description: 'e.g. `image/avif,image/webp,*/*`; `q=0` excludes.' }),
    ...CONDITIONAL_HEADERS,
    ...variantResponses(),
    ApiErrorResponses(...VARIANT_ERRORS, 'INVALID_SIGNATURE', 'LINK_EXPIRED'),
  );

export const GetCdnVariantDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'getCdnVariant',
      summary: 'Make a variant for the CDN (its fallback origin)',
      description:
        'What CloudFront asks when the bucket does not have a variant yet: the name is the stored one, `<preset>.<avif|webp|jpg|png>`, chosen at the edge from Accept. Makes and stores the variant and serves it like GET /images/{id}/variants/{preset}?format=…; later requests are answered from the bucket. Reached through a function URL only CloudFront may call, or with the API key.',
    }),
    IdParam(),
    ApiParam({
      name: 'name',
      description: 'Preset and file extension.',
      example: 'thumb.webp',
      schema: { type: 'string', pattern: '^[a-z0-9-]{1,32}\\.(avif|webp|jpg|png)$' },
    }),
    ...CONDITIONAL_HEADERS,
    ...variantResponses(),
    ApiErrorResponses(...VARIANT_ERRORS),
  );

const VARIANT_ERRORS = [
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
] as const;

/** 200, 206, 304 and 307 of a variant's bytes, the same on every route that serves one. */
const variantResponses = () => [
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
];

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
