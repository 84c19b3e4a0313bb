import { Global, Module } from '@nestjs/common';
import { DeliveryMetrics } from '../images/links/delivery-metrics';
import { StorageInstrumentation } from '../images/storage/storage-instrumentation';
import { UploadMetrics } from '../images/upload-metrics';
import { AppMetrics, EmfAppMetrics, NoopAppMetrics } from './app-metrics';
import { lambdaTelemetry } from './telemetry';
import { TracingStorageInstrumentation } from './tracing';

/**
 * Metrics for the app, the Nest way: `AppMetrics` is a provider (EMF in Lambda, a no-op elsewhere), bound to the
 * images feature's `DeliveryMetrics` and `UploadMetrics` seams. Logs and traces are wired at their own seams: the
 * pino destination in the LoggingModule, storage tracing through the images feature's `StorageInstrumentation`
 * seam, the invocation wrapper in the Lambda handler.
 */
@Global()
@Module({
  providers: [
    {
      provide: AppMetrics,
      useFactory: (): AppMetrics => {
        const metrics = lambdaTelemetry()?.metrics;
        return metrics ? new EmfAppMetrics(metrics) : new NoopAppMetrics();
      },
    },
    { provide: StorageInstrumentation, useClass: TracingStorageInstrumentation },
    { provide: DeliveryMetrics, useExisting: AppMetrics },
    { provide: UploadMetrics, useExisting: AppMetrics },
  ],
  exports: [AppMetrics, StorageInstrumentation, DeliveryMetrics, UploadMetrics],
})
export class ObservabilityModule {}
