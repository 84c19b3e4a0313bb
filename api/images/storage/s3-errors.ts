import { StorageFailureError, StorageUnavailableError } from '../image-storage.errors';

const MISSING = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload']);
const REFUSED = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
  'NoSuchBucket',
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
]);
const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequests']);
const TRANSIENT = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
  'ServiceUnavailable',
  'InternalError',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Sorts an SDK failure into what the service can say about it: the object is missing; S3 is unreachable, slow
 * or throttling (503, retry later); or S3 refused us (credentials, permissions, configuration: a 500 whose
 * detail stays in the log).
 */
export function classifyS3Error(
  error: unknown,
  operation: string,
  deadlineExceeded = false,
  treatMissingAsFailure = false,
): 'missing' | StorageUnavailableError | StorageFailureError {
  const shape = (error ?? {}) as SdkErrorShape;
  const name = shape.name ?? '';
  const code = shape.code ?? shape.Code ?? '';
  const status = shape.$metadata?.httpStatusCode;
  const options = { cause: error };

  if (deadlineExceeded) return new StorageUnavailableError(`S3 ${operation} exceeded its deadline`, 5, options);
  if (!treatMissingAsFailure && (MISSING.has(name) || (status === 404 && name !== 'NoSuchBucket'))) return 'missing';
  if (THROTTLED.has(name) || THROTTLED.has(code) || status === 429) {
    return new StorageUnavailableError(`S3 ${operation} throttled`, 2, options);
  }
  if (REFUSED.has(name) || REFUSED.has(code) || status === 401 || status === 403 || treatMissingAsFailure) {
    return new StorageFailureError(`S3 refused ${operation} (${name || code || status})`, options);
  }
  if (TRANSIENT.has(name) || TRANSIENT.has(code) || (status !== undefined && status >= 500) || status === undefined) {
    // No HTTP status at all means the request never got an answer: a network-level failure.
    return new StorageUnavailableError(`S3 ${operation} unavailable (${name || code || status})`, 5, options);
  }
  return new StorageFailureError(`S3 ${operation} failed (${name || code || status})`, options);
}

/** A conditional write lost: the key exists (If-None-Match: *). */
export function isPreconditionFailed(error: unknown): boolean {
  const shape = (error ?? {}) as SdkErrorShape;
  return shape.name === 'PreconditionFailed' || shape.$metadata?.httpStatusCode === 412;
}

/**
 * Whether a failed write certainly stored nothing: S3 answered its only attempt with an error, or refused the
 * connection before a byte was sent. A timeout, a reset or an earlier attempt that went unanswered may still
 * land. Looks through the storage error to the SDK's.
 */
export function wasAnswered(error: unknown): boolean {
  const shape = ((error as { cause?: unknown })?.cause ?? error ?? {}) as SdkErrorShape & {
    $metadata?: { attempts?: number };
  };
  if ((shape.$metadata?.attempts ?? 1) > 1) return false;
  return shape.$metadata?.httpStatusCode !== undefined || shape.code === 'ECONNREFUSED';
}
