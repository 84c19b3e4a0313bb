import type { ImageStorage } from '../image-storage';

/**
 * How the composition root may instrument storage from the outside (tracing, in Lambda): this feature defines
 * the seam and never imports whoever fills it. Provided by the observability module.
 */
export abstract class StorageInstrumentation {
  /** Wraps the storage port (e.g. one trace subsegment per call); may return it unchanged. */
  abstract decorateStorage(storage: ImageStorage): ImageStorage;
  /** Instruments an SDK client where it is built; may return it unchanged. */
  abstract instrumentClient<T>(client: T): T;
}
