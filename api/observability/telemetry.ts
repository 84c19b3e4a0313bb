import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { isRunningInLambda } from './lambda-environment';

/** Names fixed by the infra contract (infra/lib/constructs/api-function): namespace, `service` dimension. */
export const SERVICE_NAME = 'imagestore';

export interface LambdaTelemetry {
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: Metrics;
}

let telemetry: LambdaTelemetry | null | undefined;

/**
 * The one set of Powertools instances for this process, created on first use and only inside Lambda (Powertools
 * wants them created once, outside the handler). Everything else reaches them through Nest providers
 * (`ObservabilityModule`) or the handler wrapper; services never import this.
 */
export function lambdaTelemetry(): LambdaTelemetry | undefined {
  if (telemetry === undefined) telemetry = isRunningInLambda() ? createTelemetry() : null;
  return telemetry ?? undefined;
}

function createTelemetry(): LambdaTelemetry {
  // Required lazily: the X-Ray SDK behind the Tracer is the heaviest thing here, and local runs never need it.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Logger } = require('@aws-lambda-powertools/logger') as typeof import('@aws-lambda-powertools/logger');
  const { Metrics } = require('@aws-lambda-powertools/metrics') as typeof import('@aws-lambda-powertools/metrics');
  const { Tracer } = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME;
  return {
    logger: new Logger({ serviceName, logLevel: powertoolsLogLevel(process.env.LOG_LEVEL) }),
    // AWS SDK calls are traced through the captured S3 client (`instrumentS3Client`); patching http globally as
    // well would record every S3 call twice.
    tracer: new Tracer({ serviceName, captureHTTPsRequests: false }),
    metrics: new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || SERVICE_NAME, serviceName }),
  };
}

const POWERTOOLS_LEVELS: Record<string, 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT'> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'CRITICAL',
  silent: 'SILENT',
};

/** The app's LOG_LEVEL (pino names) as a Powertools level; pino filters first, Powertools agrees with it. */
export function powertoolsLogLevel(level: string | undefined): (typeof POWERTOOLS_LEVELS)[string] {
  return POWERTOOLS_LEVELS[level ?? 'info'] ?? 'INFO';
}
