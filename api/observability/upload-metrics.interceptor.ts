import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { AppError } from '../common/app-error';
import { DependencyUnavailableError } from '../common/dependency-errors';
import { AppMetrics } from './app-metrics';

const UPLOAD_ROUTE = { method: 'POST', path: '/images' } as const;

/**
 * Counts uploads at the edge, so the images feature knows nothing about metrics: a 201 body carries the stored
 * `size`; a refusal carries the error's stable code, which becomes the `reason` dimension.
 */
@Injectable()
export class UploadMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: AppMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !isUpload(context.switchToHttp().getRequest<Request>())) return next.handle();
    return next.handle().pipe(
      tap((body) => {
        const size = (body as { size?: unknown } | undefined)?.size;
        if (typeof size === 'number') this.metrics.imageStored(size);
      }),
      catchError((error: unknown) => {
        this.metrics.uploadRefused(reasonOf(error));
        return throwError(() => error);
      }),
    );
  }
}

function isUpload(req: Request): boolean {
  const routePath = (req.route as { path?: unknown } | undefined)?.path;
  return req.method === UPLOAD_ROUTE.method && routePath === UPLOAD_ROUTE.path;
}

function reasonOf(error: unknown): string {
  if (error instanceof AppError) return error.code;
  if (error instanceof DependencyUnavailableError) return error.code;
  return 'INTERNAL_ERROR';
}
