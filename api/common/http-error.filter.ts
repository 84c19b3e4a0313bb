import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError, EXPECTED_UNAVAILABILITY, HTTP_STATUS_BY_CODE, type ErrorCode } from './app-error';
import { DependencyFailureError, DependencyUnavailableError } from './dependency-errors';
import { errorEnvelope } from './error-envelope.dto';
import { isRouteMiss } from '../platform/nest-route-miss';
import { requestIdOf } from './request-id';
import type { RouteTable } from './route-table';

const CODE_BY_HTTP_STATUS: Partial<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  416: 'RANGE_NOT_SATISFIABLE',
  422: 'VALIDATION_FAILED',
  429: 'TOO_MANY_REQUESTS',
  431: 'HEADERS_TOO_LARGE',
  503: 'STORAGE_UNAVAILABLE',
};

/**
 * What a path segment that cannot be percent-decoded means under a feature's routes (e.g. a malformed image id),
 * supplied by the composition root so this filter knows no feature's URL layout.
 */
export interface MalformedPathMeaning {
  matches(path: string): boolean;
  readonly code: ErrorCode;
  readonly message: string;
}

interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly details?: string[];
  readonly imageId?: string;
}

/**
 * Turns every failure into the one JSON envelope. Unexpected errors become a generic 500 whose detail goes to
 * the log only, under the same request id the client sees.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(
    private readonly routes: RouteTable,
    private readonly malformedPaths: readonly MalformedPathMeaning[] = [],
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const problem = this.describe(exception, req);

    if (EXPECTED_UNAVAILABILITY.has(problem.code)) {
      // The request log line (warn) carries the reason; a stack trace would say nothing about a full disk.
      res.locals.errorReason = exception instanceof Error ? exception.message : String(exception);
    } else if (problem.status >= 500) {
      this.logger.error({ err: exception, code: problem.code }, 'request failed');
    }
    if (res.headersSent) {
      // The body was already streaming: the only honest signal left is to cut the connection.
      res.destroy();
      return;
    }
    const body = errorEnvelope(
      problem.status,
      problem.code,
      problem.message,
      requestIdOf(req) ?? 'unknown',
      problem.details,
      problem.imageId,
    );
    res.locals.errorCode = problem.code;
    for (const [name, value] of Object.entries(problem.headers ?? {})) res.setHeader(name, value);
    res.removeHeader('Content-Disposition');
    res.removeHeader('ETag');
    res.removeHeader('Last-Modified');
    res.setHeader('Cache-Control', 'no-store');
    res.status(problem.status).json(body);
  }

  private describe(exception: unknown, req: Request): Problem {
    if (exception instanceof AppError) {
      return {
        code: exception.code,
        message: exception.message,
        status: HTTP_STATUS_BY_CODE[exception.code],
        headers: exception.headers,
      };
    }
    if (exception instanceof DependencyUnavailableError) {
      return {
        code: exception.code,
        message: exception.publicMessage,
        status: HttpStatus.SERVICE_UNAVAILABLE,
        headers: { 'Retry-After': String(exception.retryAfterSeconds) },
        imageId: exception.imageId,
      };
    }
    if (exception instanceof DependencyFailureError) {
      return { code: 'INTERNAL_ERROR', message: exception.publicMessage, status: 500 };
    }
    if (exception instanceof URIError || (exception instanceof HttpException && exception.cause instanceof URIError)) {
      // The router could not percent-decode a path segment (`%C0%AE`, `%ZZ`).
      const meaning = this.malformedPaths.find((candidate) => candidate.matches(req.path));
      return {
        code: meaning?.code ?? 'VALIDATION_FAILED',
        message: meaning?.message ?? 'The path contains malformed percent-encoding.',
        status: HttpStatus.BAD_REQUEST,
      };
    }
    if (exception instanceof HttpException) return this.describeHttpException(exception, req);
    const status = httpStatusOf(exception);
    if (status !== undefined && status >= 400 && status < 500) {
      // Errors raised by Express or body parsing carry a status; their messages are generic and safe.
      return {
        code: CODE_BY_HTTP_STATUS[status] ?? 'VALIDATION_FAILED',
        message: STATUS_CODES[status] ?? 'Bad request',
        status,
      };
    }
    return { code: 'INTERNAL_ERROR', message: 'An unexpected error occurred.', status: 500 };
  }

  private describeHttpException(exception: HttpException, req: Request): Problem {
    const status = exception.getStatus();
    if (status === HttpStatus.NOT_FOUND && isRouteMiss(exception)) {
      const allowed = this.routes.allowedMethods(req.path);
      if (allowed.length > 0) {
        return {
          code: 'METHOD_NOT_ALLOWED',
          message: `${req.method} is not allowed here; use ${allowed.join(', ')}.`,
          status: HttpStatus.METHOD_NOT_ALLOWED,
          headers: { Allow: allowed.join(', ') },
        };
      }
      return { code: 'ROUTE_NOT_FOUND', message: 'No such route.', status };
    }
    const response = exception.getResponse();
    const messages =
      typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    const details = Array.isArray(messages) ? messages.map(String) : undefined;
    const message = details ? details.join('; ') : typeof messages === 'string' ? messages : exception.message;
    return {
      code: CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED'),
      message,
      status,
      details,
    };
  }
}

function httpStatusOf(exception: unknown): number | undefined {
  const candidate = exception as { status?: unknown; statusCode?: unknown } | undefined;
  const status = candidate?.status ?? candidate?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
