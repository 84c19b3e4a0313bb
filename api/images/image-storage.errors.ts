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
