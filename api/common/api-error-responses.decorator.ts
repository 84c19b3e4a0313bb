import { STATUS_CODES } from 'node:http';
import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath, type ApiResponseSchemaHost } from '@nestjs/swagger';
import { HTTP_STATUS_BY_CODE, type ErrorCode } from './app-error';
import { ErrorEnvelopeDto } from './error-envelope.dto';

/** What each code means, for the per-status descriptions and examples of the document. */
const MEANING: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'A parameter is invalid, repeated or unknown.',
  MALFORMED_REQUEST: 'The request is not valid HTTP/1.1.',
  INVALID_IMAGE_ID: 'Image ids are UUIDv7 strings.',
  INVALID_CURSOR: 'The cursor was not issued by this service.',
  MISSING_FILE: 'No part named file.',
  EMPTY_FILE: 'The file part has zero bytes.',
  TOO_MANY_FILES: 'Exactly one file is accepted.',
  INVALID_MULTIPART: 'The multipart body is malformed or unterminated.',
  INVALID_IDEMPOTENCY_KEY: 'The Idempotency-Key header is not a quoted string or token of 1..255 characters.',
  IDEMPOTENCY_KEY_IN_USE: 'A request with this Idempotency-Key is still being processed; retry after Retry-After.',
  IDEMPOTENCY_KEY_MISMATCH: 'This Idempotency-Key was used for a different file.',
  INVALID_SIGNATURE: 'The signed link is wrong, tampered with or for another representation.',
  LINK_EXPIRED: 'The signed link has expired; fetch the metadata again for a fresh one.',
  ROUTE_NOT_FOUND: 'No such route.',
  IMAGE_NOT_FOUND: 'No image with this id.',
  VARIANT_NOT_FOUND: 'No such preset in IMAGE_VARIANTS.',
  UPLOAD_NOT_FOUND: 'No staged upload with this id.',
  METHOD_NOT_ALLOWED: 'Wrong method on a known path; see Allow.',
  REQUEST_TIMEOUT: 'The request was not received in time.',
  PRECONDITION_FAILED: 'The image does not satisfy If-Match, If-Unmodified-Since or (DELETE) If-None-Match.',
  PAYLOAD_TOO_LARGE: 'Larger than MAX_UPLOAD_BYTES, or the processed image would be.',
  UNSUPPORTED_MEDIA_TYPE: 'Not JPEG, PNG, WebP, GIF or AVIF, decided from the bytes.',
  RANGE_NOT_SATISFIABLE: 'The range starts past the end; Content-Range gives the size.',
  IMAGE_TOO_MANY_PIXELS: 'More pixels (all frames together) than MAX_IMAGE_PIXELS.',
  IMAGE_TOO_LARGE_DIMENSIONS: 'A side longer than MAX_IMAGE_DIMENSION.',
  IMAGE_TOO_COMPLEX: 'More work than PROCESSING_TIMEOUT_SECONDS allows.',
  INVALID_IMAGE: 'Corrupt, truncated or a polyglot.',
  TOO_MANY_REQUESTS: 'Too many requests; slow down.',
  HEADERS_TOO_LARGE: 'Request headers over 16 KB.',
  INTERNAL_ERROR: 'Anything unexpected; details are in the log under the same request id.',
  DIRECT_UPLOAD_UNAVAILABLE: 'Not available with this storage driver.',
  STORAGE_UNAVAILABLE: 'Storage cannot be reached; nothing was stored; retry after Retry-After.',
  UPLOAD_OUTCOME_UNKNOWN:
    'Storage stopped answering mid-write; the image (imageId) may exist; retry with the same Idempotency-Key.',
  SERVER_BUSY: 'Every image-processing slot is busy; retry after Retry-After.',
};

const EXAMPLE_REQUEST_ID = '6f1c1f5e-2c1b-4a57-9d0e-2f7f2c0b8a11';

/** Headers an error carries beyond the ones every response has (added in swagger.ts). */
const HEADERS_BY_STATUS: Partial<Record<number, ApiResponseSchemaHost['headers']>> = {
  416: {
    'Content-Range': {
      description: 'The size of the image: `bytes */<size>`.',
      required: true,
      schema: { type: 'string', pattern: '^bytes \\*/[0-9]+$', example: 'bytes */245120' },
    },
  },
  503: {
    'Retry-After': {
      description: 'Seconds to wait before retrying.',
      required: true,
      schema: { type: 'string', pattern: '^[0-9]+$', example: '5' },
    },
  },
};

/**
 * Documents each status a route can answer with as the error envelope (always application/json), narrowed to
 * the codes that route really uses at that status, with one example per code. Statuses follow from the codes.
 */
export const ApiErrorResponses = (...codes: ErrorCode[]) => {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = HTTP_STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, statusCodes]) =>
      ApiResponse({
        status,
        description: statusCodes.map((code) => `\`${code}\`: ${MEANING[code]}`).join(' '),
        headers: HEADERS_BY_STATUS[status],
        content: { 'application/json': errorMediaType(status, statusCodes) },
      }),
    ),
  );
};

/** The envelope with `statusCode` and `code` pinned to what this status can carry. */
export function errorMediaType(status: number, codes: readonly ErrorCode[]) {
  return {
    schema: {
      allOf: [
        { $ref: getSchemaPath(ErrorEnvelopeDto) },
        {
          type: 'object' as const,
          properties: {
            statusCode: { type: 'integer' as const, enum: [status] },
            code: { type: 'string', enum: [...codes] },
          },
        },
      ],
    },
    examples: Object.fromEntries(
      codes.map((code) => [
        code,
        {
          summary: MEANING[code],
          value: {
            statusCode: status,
            error: STATUS_CODES[status],
            code,
            message: MEANING[code],
            requestId: EXAMPLE_REQUEST_ID,
          },
        },
      ]),
    ),
  };
}
