import type { Logger } from '@aws-lambda-powertools/logger';

type PowertoolsMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical';

const METHOD_BY_PINO_LEVEL: ReadonlyArray<readonly [number, PowertoolsMethod]> = [
  [60, 'critical'],
  [50, 'error'],
  [40, 'warn'],
  [30, 'info'],
  [20, 'debug'],
  [0, 'trace'],
];

// pino's own bookkeeping; Powertools writes its own level, timestamp and service.
const DROPPED_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'message', 'service', 'timestamp']);

/**
 * A pino destination that hands each line to the Powertools Logger, so in Lambda every line the app writes
 * (request lines from pino-http, Nest's Logger) comes out in the Powertools shape with the invocation keys
 * (cold start, Lambda and API Gateway request ids, X-Ray trace id) and `correlation_id` = the app's request id.
 * pino has already applied the app's serializers and redaction, so nothing new reaches the log.
 */
export function powertoolsLogDestination(logger: Logger): { write(line: string): void } {
  return {
    write(line: string): void {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        logger.info(line.trimEnd());
        return;
      }
      const level = typeof entry.level === 'number' ? entry.level : 30;
      const method = METHOD_BY_PINO_LEVEL.find(([threshold]) => level >= threshold)?.[1] ?? 'info';
      const attributes: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(entry)) if (!DROPPED_KEYS.has(key)) attributes[key] = value;
      if (typeof entry.requestId === 'string') attributes.correlation_id = entry.requestId;
      const message = typeof entry.msg === 'string' ? entry.msg : '';
      logger[method]({ message, ...attributes });
    },
  };
}
