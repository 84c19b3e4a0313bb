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
