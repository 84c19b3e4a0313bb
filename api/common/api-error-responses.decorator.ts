import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './error-envelope.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (VALIDATION_FAILED, INVALID_IMAGE_ID, INVALID_CURSOR, MISSING_FILE, EMPTY_FILE, TOO_MANY_FILES, INVALID_MULTIPART).',
  403: 'A signed link that is wrong, tampered with or for another image (INVALID_SIGNATURE), or expired (LINK_EXPIRED).',
  404: 'No such image or staged upload (IMAGE_NOT_FOUND, UPLOAD_NOT_FOUND).',
  405: 'Method not allowed on this path (METHOD_NOT_ALLOWED); see the Allow header.',
  412: 'The image does not satisfy If-Match, If-Unmodified-Since or (DELETE) If-None-Match (PRECONDITION_FAILED).',
  413: 'Body larger than MAX_UPLOAD_BYTES, or the processed image would be (PAYLOAD_TOO_LARGE).',
  415: 'Not an accepted image type, decided from the bytes (UNSUPPORTED_MEDIA_TYPE).',
  416: 'Range outside the image (RANGE_NOT_SATISFIABLE).',
  422: 'Corrupt or truncated image (INVALID_IMAGE), more pixels than MAX_IMAGE_PIXELS (IMAGE_TOO_MANY_PIXELS), a side longer than MAX_IMAGE_DIMENSION (IMAGE_TOO_LARGE_DIMENSIONS), or more work than PROCESSING_TIMEOUT_SECONDS allows (IMAGE_TOO_COMPLEX).',
  501: 'Not available with this storage driver (DIRECT_UPLOAD_UNAVAILABLE).',
  503: 'Storage unavailable (STORAGE_UNAVAILABLE) or every image-processing slot busy (SERVER_BUSY); retry after the Retry-After header.',
};

/** Documents the error envelope for each status a route can answer with. */
export const ApiErrorResponses = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, type: ErrorEnvelopeDto, description: DESCRIPTIONS[status] })),
  );
