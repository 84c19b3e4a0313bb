export { AppMetrics } from './app-metrics';
export { isRunningInLambda } from './lambda-environment';
export { ObservabilityModule } from './observability.module';
export { instrumentS3Client, traceStorageCalls } from './tracing';
