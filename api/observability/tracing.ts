import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { ImageStorage } from '../images/image-storage';
import { StorageInstrumentation } from '../images/storage/storage-instrumentation';
import { lambdaTelemetry } from './telemetry';
import { TracedImageStorage, type SubsegmentTracer } from './traced-image-storage';

/** Runs each call in a subsegment of the current (handler) segment, recording errors on it. */
export function xraySubsegmentTracer(tracer: Tracer): SubsegmentTracer {
  return {
    trace<T>(name: string, fn: () => Promise<T>): Promise<T> {
      return tracer.provider.captureAsyncFunc(`### ${name}`, async (subsegment) => {
        try {
          return await fn();
        } catch (error) {
          subsegment?.addError(error as Error);
          throw error;
        } finally {
          subsegment?.close();
        }
      }) as Promise<T>;
    },
  };
}

/** The storage port with a subsegment per call when X-Ray tracing is on; the same instance otherwise. */
export function traceStorageCalls(storage: ImageStorage): ImageStorage {
  const tracer = lambdaTelemetry()?.tracer;
  if (!tracer?.isTracingEnabled()) return storage;
  return new TracedImageStorage(storage, xraySubsegmentTracer(tracer));
}

/**
 * Instruments an AWS SDK v3 client (the S3 client) so each SDK call becomes an X-Ray subsegment with the AWS
 * service, operation and retries. Returns the client unchanged outside Lambda or with tracing off. Call it where
 * the client is built, e.g. `this.client = instrumentS3Client(new S3Client({...}))`.
 */
export function instrumentS3Client<T>(client: T): T {
  const tracer = lambdaTelemetry()?.tracer;
  return tracer?.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client;
}

/** Storage traced from the outside: the images feature exposes the seam, this module fills it. */
export class TracingStorageInstrumentation extends StorageInstrumentation {
  decorateStorage(storage: ImageStorage): ImageStorage {
    return traceStorageCalls(storage);
  }

  instrumentClient<T>(client: T): T {
    return instrumentS3Client(client);
  }
}
