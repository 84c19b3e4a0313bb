/** The storage backend could not be reached or is throttling; callers answer 503 with Retry-After. */
export class StorageUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** The backend refused us (credentials, permissions, misconfiguration); callers answer 500 and log the cause. */
export class StorageFailureError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageFailureError';
  }
}

/**
 * A write whose outcome is unknown: the store stopped answering after it may have received the bytes, and the
 * rollback could not be confirmed either. The image may exist for a while; the store's sweep removes it, since
 * nobody was told it was stored. Callers must not say "not stored".
 */
export class UploadOutcomeUnknownError extends StorageUnavailableError {
  constructor(
    readonly imageId: string,
    message: string,
    retryAfterSeconds = 5,
    options?: ErrorOptions,
  ) {
    super(message, retryAfterSeconds, options);
    this.name = 'UploadOutcomeUnknownError';
  }
}
