import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { EXPECTED_UNAVAILABILITY, type ErrorCode } from '../common/app-error';
import { requestIdFor } from '../common/request-id';
import { routeLogsThroughPowertoolsInLambda } from './log-routing';

const localsOf = (res: ServerResponse) =>
  ((res as ServerResponse & { locals?: Record<string, unknown> }).locals ?? {}) as {
    errorCode?: ErrorCode;
    errorReason?: string;
  };
const isExpectedUnavailability = (res: ServerResponse) =>
  EXPECTED_UNAVAILABILITY.has(localsOf(res).errorCode as ErrorCode);

/**
 * Structured JSON logs (pretty in a terminal) with the request id on every line, including lines logged by
 * services through Nest's Logger. Only method, path and status are logged for requests: never bodies, file
 * names, query strings or credentials.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // In Lambda the same lines go through the Powertools Logger (invocation keys, correlation id).
          pinoHttp: routeLogsThroughPowertoolsInLambda({
            level: config.LOG_LEVEL,
            messageKey: 'msg',
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
            genReqId: (req: IncomingMessage & { id?: unknown }) =>
              typeof req.id === 'string' ? req.id : requestIdFor(req),
            serializers: {
              req: (req: { method?: string; url?: string }) => ({
                method: req.method,
                path: (req.url ?? '').split('?')[0],
              }),
              res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
            customSuccessObject: (_req, res, value: Record<string, unknown>) => ({
              ...value,
              code: localsOf(res).errorCode,
            }),
            // pino-http attaches an Error (with a stack) to every 5xx line; an expected 503 (a full disk, S3
            // timing out, every slot busy) gets the code and the reason instead, on one warn line.
            customErrorObject: (_req, res, _error, value: Record<string, unknown>) => {
              const { errorCode, errorReason } = localsOf(res);
              if (!isExpectedUnavailability(res)) return { ...value, code: errorCode };
              const { err: _err, ...rest } = value;
              return { ...rest, code: errorCode, reason: errorReason };
            },
            customLogLevel: (_req, res, error) =>
              isExpectedUnavailability(res)
                ? 'warn'
                : error || res.statusCode >= 500
                  ? 'error'
                  : res.statusCode >= 400
                    ? 'warn'
                    : 'info',
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
              remove: true,
            },
            ...(config.logFormat === 'pretty'
              ? {
                  transport: {
                    target: 'pino-pretty',
                    options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', messageKey: 'msg' },
                  },
                }
              : {}),
          }),
        }),
      ],
    };
  }
}
