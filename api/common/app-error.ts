/** Stable, documented error codes; clients branch on these, so never rename one. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_REQUEST',
  'INVALID_IMAGE_ID',
  'INVALID_CURSOR',
  'MISSING_FILE',
  'EMPTY_FILE',
  'TOO_MANY_FILES',
  'INVALID_MULTIPART',
  'INVALID_IDEMPOTENCY_KEY',
  'ROUTE_NOT_FOUND',
  'IMAGE_NOT_FOUND',
  'VARIANT_NOT_FOUND',
  'UPLOAD_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'INVALID_SIGNATURE',
  'LINK_EXPIRED',
  'REQUEST_TIMEOUT',
  'PRECONDITION_FAILED',
  'IDEMPOTENCY_KEY_IN_USE',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RANGE_NOT_SATISFIABLE',
  'IMAGE_TOO_MANY_PIXELS',
  'IMAGE_TOO_LARGE_DIMENSIONS',
  'IMAGE_TOO_COMPLEX',
  'INVALID_IMAGE',
  'IDEMPOTENCY_KEY_MISMATCH',
  'TOO_MANY_REQUESTS',
  'HEADERS_TOO_LARGE',
  'INTERNAL_ERROR',
  'DIRECT_UPLOAD_UNAVAILABLE',
  'STORAGE_UNAVAILABLE',
  'UPLOAD_OUTCOME_UNKNOWN',
  'SERVER_BUSY',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The edge (the exception filter) picks the HTTP status from the code; services only say what went wrong. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_REQUEST: 400,
  INVALID_IMAGE_ID: 400,
  INVALID_CURSOR: 400,
  MISSING_FILE: 400,
  EMPTY_FILE: 400,
  TOO_MANY_FILES: 400,
  INVALID_MULTIPART: 400,
  INVALID_IDEMPOTENCY_KEY: 400,
  ROUTE_NOT_FOUND: 404,
  IMAGE_NOT_FOUND: 404,
  VARIANT_NOT_FOUND: 404,
  UPLOAD_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  INVALID_SIGNATURE: 403,
  LINK_EXPIRED: 403,
  REQUEST_TIMEOUT: 408,
  PRECONDITION_FAILED: 412,
  IDEMPOTENCY_KEY_IN_USE: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  IMAGE_TOO_MANY_PIXELS: 422,
  IMAGE_TOO_LARGE_DIMENSIONS: 422,
  IMAGE_TOO_COMPLEX: 422,
  INVALID_IMAGE: 422,
  IDEMPOTENCY_KEY_MISMATCH: 422,
  TOO_MANY_REQUESTS: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  DIRECT_UPLOAD_UNAVAILABLE: 501,
  STORAGE_UNAVAILABLE: 503,
  UPLOAD_OUTCOME_UNKNOWN: 503,
  SERVER_BUSY: 503,
};

/** Failures of the moment, not of the code: answered 503 with Retry-After, logged as one warn line. */
export const EXPECTED_UNAVAILABILITY: ReadonlySet<ErrorCode> = new Set([
  'STORAGE_UNAVAILABLE',
  'UPLOAD_OUTCOME_UNKNOWN',
  'SERVER_BUSY',
]);

/** An expected failure with a stable code and a message that is safe to show to the client. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}
