// The OpenAPI declaration of HealthController (see images/images.openapi.ts).
import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';

const indicators = {
  type: 'object',
  additionalProperties: { type: 'object', properties: { status: { type: 'string' } } },
};

export const HealthDocs = () =>
  applyDecorators(
    ApiOperation({
      operationId: 'getHealth',
      summary: 'Liveness and storage readiness',
      description: '200 when the process is up and storage answers; 503 otherwise.',
    }),
    ApiResponse({
      status: 200,
      description: 'Ready.',
      schema: {
        type: 'object',
        required: ['status'],
        properties: {
          status: { type: 'string', enum: ['ok'] },
          info: indicators,
          error: indicators,
          details: indicators,
        },
        example: {
          status: 'ok',
          info: { storage: { status: 'up' } },
          error: {},
          details: { storage: { status: 'up' } },
        },
      },
    }),
    ApiErrorResponses('STORAGE_UNAVAILABLE'),
  );
