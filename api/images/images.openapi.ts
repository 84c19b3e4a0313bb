// The OpenAPI declarations of ImagesController's metadata routes, one composed decorator per route, so the
// controller stays about HTTP handling (the bytes' routes are in content.openapi.ts). What decorators cannot
// say (HEAD operations, headers on every response, limits from config) is added in api/swagger.ts.
import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ImageDto, ImagePageDto } from './dto/image.dto';
import { UPLOAD_FIELD } from './image-upload.interceptor';
import { IdParam, IMAGE_CHECK_CODES, LOCATION } from './openapi-parts';

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
