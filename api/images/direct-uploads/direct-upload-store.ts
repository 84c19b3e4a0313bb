export interface PresignedPost {
  /** Where the browser or client POSTs the form. */
  readonly url: string;
  /** Form fields to send, in order, before the `file` field. */
  readonly fields: Record<string, string>;
}

export interface PresignOptions {
  readonly maxBytes: number;
  readonly expiresSeconds: number;
}

/**
 * Port for uploads that bypass the API (and Lambda's body limit): the client writes straight to a staging key,
 * then asks the service to verify and adopt it. Only object stores can offer this (see `StorageBackend`); without one the
 * routes answer 501.
 */
export interface DirectUploadStore {
  createPresignedUpload(uploadId: string, options: PresignOptions): Promise<PresignedPost>;

  /** The staged bytes; `undefined` when nothing was uploaded; throws `StagedUploadTooLargeError` over `maxBytes`. */
  readIncoming(uploadId: string, maxBytes: number): Promise<Buffer | undefined>;

  deleteIncoming(uploadId: string): Promise<void>;
}

export class StagedUploadTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`staged upload has ${size} bytes`);
    this.name = 'StagedUploadTooLargeError';
  }
}
