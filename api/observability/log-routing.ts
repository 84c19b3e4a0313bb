import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { powertoolsLogDestination } from './powertools-log-destination';
import { lambdaTelemetry } from './telemetry';

/**
 * In Lambda, the app's pino options with the Powertools Logger as destination (no pretty transport: Lambda
 * wants one JSON object per line). Elsewhere the options are returned unchanged, so local logs stay as they are.
 */
export function routeLogsThroughPowertoolsInLambda(options: Options): Options | [Options, DestinationStream] {
  const logger = lambdaTelemetry()?.logger;
  if (!logger) return options;
  const { transport: _transport, ...lambdaOptions } = options;
  return [lambdaOptions, powertoolsLogDestination(logger)];
}
