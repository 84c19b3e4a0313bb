// The OpenAPI declarations of DirectUploadsController, one composed decorator per route (see images.openapi.ts).
import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../common/api-error-responses.decorator';
import { ImageDto } from '../dto/image.dto';
import { IMAGE_CHECK_CODES, LOCATION } from '../openapi-parts';
import { DirectUploadDto } from './direct-upload.dto';
import { UPLOAD_ID_PATTERN } from './upload-id.pipe';

export const StartDirectUploadDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'startDirectUpload',
      summary: 'Start a direct-to-storage upload (S3 only)',
      description:
        'For images larger than the API accepts. POST the returned `fields` and then the image (part `file`) to `url`, then call `completeUrl`. Answers 501 with the disk driver.',
    }),
    ApiResponse({ status: 201, type: DirectUploadDto, description: 'A presigned POST, valid until `expiresAt`.' }),
    ApiErrorResponses('DIRECT_UPLOAD_UNAVAILABLE', 'STORAGE_UNAVAILABLE'),
  );

export const CompleteDirectUploadDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'completeDirectUpload',
      summary: 'Verify a direct upload and store it as an image',
      description: 'Applies every check of POST /images. The staged object is deleted whether it passes or not.',
    }),
    ApiParam({
      name: 'uploadId',
      description: 'From the start call (UUIDv4).',
      schema: {
        type: 'string',
        format: 'uuid',
        pattern: UPLOAD_ID_PATTERN.source,
        example: '3b241101-e2bb-4255-8caf-4136c566a962',
      },
    }),
    ApiResponse({
      status: 201,
      type: ImageDto,
      description: 'Stored.',
      headers: { Location: LOCATION },
    }),
    ApiErrorResponses('VALIDATION_FAILED', 'UPLOAD_NOT_FOUND', 'DIRECT_UPLOAD_UNAVAILABLE', ...IMAGE_CHECK_CODES),
  );
