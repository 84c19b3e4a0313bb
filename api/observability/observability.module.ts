import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppMetrics, EmfAppMetrics, NoopAppMetrics } from './app-metrics';
import { lambdaTelemetry } from './telemetry';
import { UploadMetricsInterceptor } from './upload-metrics.interceptor';

/**
 * Metrics for the app, the Nest way: `AppMetrics` is a provider (EMF in Lambda, a no-op elsewhere) and one
 * global interceptor reports uploads. Logs and traces are wired at their own seams: the pino destination in the
 * LoggingModule, the storage decorator in the storage factory, the invocation wrapper in `lambda.ts`.
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
  ],
  exports: [AppMetrics],
})
export class ObservabilityModule {}
