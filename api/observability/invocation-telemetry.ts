import type { Context } from 'aws-lambda';
import type { LambdaTelemetry } from './telemetry';

interface ApiGatewayLikeEvent {
  readonly requestContext?: { readonly requestId?: string };
}

/**
 * Wraps one Lambda invocation: log keys for the invocation (cold start, Lambda and API Gateway request ids),
 * the cold-start metric, a `## handler` X-Ray subsegment, and the flush of buffered EMF metrics at the end.
 * The response is never attached to the trace: it is the HTTP body, image bytes included.
 */
export async function observeInvocation<T>(
  telemetry: LambdaTelemetry,
  event: ApiGatewayLikeEvent,
  context: Context,
  invoke: () => Promise<T>,
): Promise<T> {
  const { logger, tracer, metrics } = telemetry;
  logger.addContext(context);
  const apiGatewayRequestId = event.requestContext?.requestId;
  if (apiGatewayRequestId) logger.appendKeys({ apigw_request_id: apiGatewayRequestId });
  metrics.captureColdStartMetric();

  const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? 'handler'}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await invoke();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    if (segment && subsegment) {
      subsegment.close();
      tracer.setSegment(segment);
    }
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    logger.resetKeys();
  }
}
