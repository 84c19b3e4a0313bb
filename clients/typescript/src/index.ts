export {
  createImagestoreClient,
  orThrow,
  type DirectUpload,
  type Image,
  type ImagePage,
  type ImagestoreClient,
  type ImagestoreClientOptions,
  type UploadOptions,
} from './client.ts';
export { ImagestoreError, type ErrorCode, type ErrorEnvelope } from './errors.ts';
export type { UploadProgress, UploadSource } from './multipart.ts';
export { retryAfterMs, type RetryPolicy } from './retry.ts';
export type { components, operations, paths } from './generated/openapi.ts';
