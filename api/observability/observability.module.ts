import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DeliveryMetrics } from '../images/links/delivery-metrics';
import { StorageInstrumentation } from '../images/storage/storage-instrumentation';
import { AppMetrics, EmfAppMetrics, NoopAppMetrics } from './app-metrics';
import { lambdaTelemetry } from './telemetry';
import { TracingStorageInstrumentation } from './tracing';
import { UploadMetricsInterceptor } from './upload-metrics.interceptor';

/**
 * Metrics for the app, the Nest way: `AppMetrics` is a provider (EMF in Lambda, a no-op elsewhere) and one
 * global interceptor reports uploads. Logs and traces are wired at their own seams: the pino destination in the
 * LoggingModule, storage tracing through the images feature's `StorageInstrumentation` seam, the invocation
 * wrapper in the Lambda handler.
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
    { provide: APP_INTERCEPTOR, useClass: UploadMetricsInterceptor },
    { provide: StorageInstrumentation, useClass: TracingStorageInstrumentation },
    { provide: DeliveryMetrics, useExisting: AppMetrics },
  ],
  exports: [AppMetrics, StorageInstrumentation, DeliveryMetrics],
})
export class ObservabilityModule {}
