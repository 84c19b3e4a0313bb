import type { Readable } from 'node:stream';
import type { ImageRecord } from '../images/image-record';
import {
  ImageStorage,
  type ByteRange,
  type IdempotencyRecord,
  type ImagePage,
  type ListImagesQuery,
  type OpenedImage,
  type StoredIdempotencyKey,
  type SweepReport,
  type OpenedVariant,
} from '../images/image-storage';
import type { VariantRecord } from '../images/variants/variant-record';

/** The one thing the decorator needs from a tracer: run `fn` inside a named subsegment. */
export interface SubsegmentTracer {
  trace<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * Decorates the storage port with one X-Ray subsegment per call (`storage.put`, `storage.open`, …), whichever
 * adapter is behind it. Only installed when tracing is on; otherwise the adapter is used as is.
 */
export class TracedImageStorage extends ImageStorage {
  constructor(
    private readonly inner: ImageStorage,
    private readonly tracer: SubsegmentTracer,
  ) {
    super();
  }

  put(record: ImageRecord, body: Readable): Promise<void> {
    return this.tracer.trace('storage.put', () => this.inner.put(record, body));
  }

  head(id: string): Promise<ImageRecord | undefined> {
    return this.tracer.trace('storage.head', () => this.inner.head(id));
  }

  /** Covers opening the object; the bytes then stream to the client outside the subsegment. */
  open(id: string): Promise<OpenedImage | undefined> {
    return this.tracer.trace('storage.open', () => this.inner.open(id));
  }

  openBytes(id: string, range?: ByteRange): Promise<Readable | undefined> {
    return this.tracer.trace('storage.openBytes', () => this.inner.openBytes(id, range));
  }

  delete(id: string): Promise<boolean> {
    return this.tracer.trace('storage.delete', () => this.inner.delete(id));
  }

  list(query: ListImagesQuery): Promise<ImagePage> {
    return this.tracer.trace('storage.list', () => this.inner.list(query));
  }

  checkReady(): Promise<void> {
    return this.tracer.trace('storage.checkReady', () => this.inner.checkReady());
  }

  get maxPutMs(): number {
    return this.inner.maxPutMs;
  }

  findIdempotencyKey(keyHash: string): Promise<StoredIdempotencyKey | undefined> {
    return this.tracer.trace('storage.findIdempotencyKey', () => this.inner.findIdempotencyKey(keyHash));
  }

  claimIdempotencyKey(keyHash: string, record: IdempotencyRecord, replacesVersion?: string): Promise<boolean> {
    return this.tracer.trace('storage.claimIdempotencyKey', () =>
      this.inner.claimIdempotencyKey(keyHash, record, replacesVersion),
    );
  }

  releaseIdempotencyKey(keyHash: string): Promise<void> {
    return this.tracer.trace('storage.releaseIdempotencyKey', () => this.inner.releaseIdempotencyKey(keyHash));
  }

  sweep(): Promise<SweepReport> {
    return this.tracer.trace('storage.sweep', () => this.inner.sweep());
  }

  putVariant(imageId: string, record: VariantRecord, body: Readable): Promise<boolean> {
    return this.tracer.trace('storage.putVariant', () => this.inner.putVariant(imageId, record, body));
  }

  headVariant(imageId: string, name: string): Promise<VariantRecord | undefined> {
    return this.tracer.trace('storage.headVariant', () => this.inner.headVariant(imageId, name));
  }

  openVariant(imageId: string, name: string): Promise<OpenedVariant | undefined> {
    return this.tracer.trace('storage.openVariant', () => this.inner.openVariant(imageId, name));
  }

  openVariantBytes(imageId: string, name: string, range?: ByteRange): Promise<Readable | undefined> {
    return this.tracer.trace('storage.openVariantBytes', () => this.inner.openVariantBytes(imageId, name, range));
  }
}
