import { DependencyFailureError, DependencyUnavailableError } from '../common/dependency-errors';

/**
 * Errors of the storage port's contract: every adapter throws these, so callers and the edge need not know
 * which backend is behind it.
 */

/** The storage backend could not be reached or is throttling; callers answer 503 with Retry-After. */
export class StorageUnavailableError extends DependencyUnavailableError {
  constructor(message: string, retryAfterSeconds = 5, options?: ErrorOptions) {
    super(
      'STORAGE_UNAVAILABLE',
      'Image storage is temporarily unavailable; retry later.',
      message,
      retryAfterSeconds,
      options,
    );
    this.name = 'StorageUnavailableError';
  }
}

/** The backend refused us (credentials, permissions, misconfiguration); callers answer 500 and log the cause. */
export class StorageFailureError extends DependencyFailureError {
  constructor(message: string, options?: ErrorOptions) {
    super('Image storage refused the request.', message, options);
    this.name = 'StorageFailureError';
  }
}

/**
 * A write whose outcome is unknown: the store stopped answering after it may have received the bytes, and the
 * rollback could not be confirmed either. The image may exist for a while; the store's sweep removes it, since
 * nobody was told it was stored. Callers must not say "not stored": the answer names the id instead.
 */
export class UploadOutcomeUnknownError extends DependencyUnavailableError {
  override readonly imageId: string;

  constructor(imageId: string, message: string, retryAfterSeconds = 5, options?: ErrorOptions) {
    super(
      'UPLOAD_OUTCOME_UNKNOWN',
      `Storage stopped answering while image ${imageId} was being written; it may or may not have been stored. ` +
        'If it was, it is removed automatically. Retry, with the same Idempotency-Key.',
      message,
      retryAfterSeconds,
      options,
    );
    this.imageId = imageId;
    this.name = 'UploadOutcomeUnknownError';
  }
}
