import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DeliveryMetrics } from '../images/links/delivery-metrics';
import type { UploadMetrics } from '../images/upload-metrics';

/** What the app reports; EMF in Lambda, nothing at all elsewhere. Bound by the ObservabilityModule. */
export abstract class AppMetrics implements DeliveryMetrics, UploadMetrics {
  abstract imageStored(bytes: number): void;
  abstract uploadRefused(reason: string): void;
  abstract purgeFailed(): void;
}

/** Metric names fixed by the infra contract (dashboards and alarms read them); Powertools emits ColdStart. */
export const METRIC = {
  imagesUploaded: 'ImagesUploaded',
  bytesStored: 'BytesStored',
  uploadsRefused: 'UploadsRefused',
  cdnPurgesFailed: 'CdnPurgesFailed',
} as const;

export class NoopAppMetrics extends AppMetrics {
  imageStored(): void {}
  uploadRefused(): void {}
  purgeFailed(): void {}
}

/** CloudWatch EMF through Powertools; buffered metrics are flushed by the handler after each invocation. */
export class EmfAppMetrics extends AppMetrics {
  constructor(private readonly metrics: Metrics) {
    super();
  }

  imageStored(bytes: number): void {
    this.metrics.addMetric(METRIC.imagesUploaded, 'Count', 1);
    this.metrics.addMetric(METRIC.bytesStored, 'Bytes', bytes);
  }

  uploadRefused(reason: string): void {
    // Its own EMF blob: the `reason` dimension must not attach to the invocation's other metrics.
    const single = this.metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric(METRIC.uploadsRefused, 'Count', 1);
  }

  purgeFailed(): void {
    this.metrics.addMetric(METRIC.cdnPurgesFailed, 'Count', 1);
  }
}
