import type { IncomingMessage, ServerResponse } from 'node:http';
import { configure } from '@codegenie/serverless-express';
import { Logger } from '@nestjs/common';
import type { Context } from 'aws-lambda';
import { createApp } from '../app.factory';
import { loadConfig } from '../config/app-config';
import {
  isBinaryResponse,
  requestValuesOf,
  resultOf,
  basePathOfEvent,
  type ApiGatewayEvent,
  type ApiGatewayResult,
  type ResponseValues,
} from './api-gateway-event-source';
import { currentBasePath, runInInvocation } from './invocation-scope';
import { observeInvocation } from '../observability/invocation-telemetry';
import { lambdaTelemetry } from '../observability/telemetry';
import { deferWriteCallbacks } from '../platform/serverless-express-socket';

type Proxy = (event: ApiGatewayEvent, context: Context) => Promise<ApiGatewayResult>;

/** Builds the app once per container with the same `createApp()` as `main.ts`, stage-aware links included. */
async function bootstrap(): Promise<Proxy> {
  const app = await createApp({ config: loadConfig(), resolveBasePath: () => currentBasePath() });
  const logger = new Logger('ServerlessExpress');
  const express = app.getHttpAdapter().getInstance() as unknown as {
    handle(request: IncomingMessage, response: ServerResponse): void;
  };
  const proxy = configure({
    app: express as never,
    framework: {
      sendRequest: ({ request, response }: { request: IncomingMessage; response: ServerResponse }) => {
        deferWriteCallbacks(response);
        express.handle(request, response);
      },
    },
    eventSource: {
      getRequest: ({ event }: { event: ApiGatewayEvent }) => requestValuesOf(event),
      getResponse: (values: ResponseValues) => resultOf(values),
    },
    binarySettings: { isBinary: isBinaryResponse },
    // Its debug output would contain whole events (bodies, headers): only failures are logged, without the event.
    log: {
      debug: () => undefined,
      verbose: () => undefined,
      info: () => undefined,
      warn: (message: string) => logger.warn(message),
      error: (message: string, error?: unknown) => logger.error({ err: error }, message),
    },
    respondWithErrors: false,
  });
  return (event, context) => proxy(event, context, () => undefined) as Promise<ApiGatewayResult>;
}

let ready: Promise<Proxy> | undefined;

function app(): Promise<Proxy> {
  ready ??= bootstrap().catch((error: unknown) => {
    ready = undefined; // let the next invocation try again instead of failing forever
    throw error;
  });
  return ready;
}

// Started while the module loads, i.e. during Lambda's init phase, not on the first request's clock.
app().catch(() => undefined);

/**
 * API Gateway (REST v1 and HTTP API v2) entry point. Exactly two parameters: the Node.js 24 runtime refuses
 * handlers that declare a callback, even when they return a promise.
 */
export const handler = async (event: ApiGatewayEvent, context: Context): Promise<ApiGatewayResult> => {
  const proxy = await app();
  const invoke = () => runInInvocation({ basePath: basePathOfEvent(event) }, () => proxy(event, context));
  const telemetry = lambdaTelemetry();
  return telemetry ? observeInvocation(telemetry, event, context, invoke) : invoke();
};
