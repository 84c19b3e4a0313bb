import type { ErrorCode } from './app-error';

/**
 * Something the service depends on is down or throttling: the edge answers 503 with `Retry-After` and the
 * public message, and logs the internal one. Features extend it for their own dependencies, so this folder
 * never needs to know them.
 */
export class DependencyUnavailableError extends Error {
  /** Named in the envelope when the failed request was about to create it (e.g. `UPLOAD_OUTCOME_UNKNOWN`). */
  readonly imageId?: string;

  constructor(
    readonly code: ErrorCode,
    readonly publicMessage: string,
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A dependency refused us (credentials, permissions, misconfiguration): a 500 whose cause goes to the log. */
export class DependencyFailureError extends Error {
  constructor(
    readonly publicMessage: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
