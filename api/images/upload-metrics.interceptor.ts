import { Injectable, type CallHandler, type NestInterceptor } from '@nestjs/common';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { AppError } from '../common/app-error';
import { DependencyUnavailableError } from '../common/dependency-errors';
import { UploadMetrics } from './upload-metrics';

/**
 * Counts an upload's outcome: a 201 body carries the stored `size`; a refusal carries the error's stable code,
 * which becomes the `reason` dimension. On the upload route only, outside its body parser so its refusals count
 * too: a global interceptor would put every GET through rxjs for nothing.
 */
@Injectable()
export class UploadMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: UploadMetrics) {}

  intercept(_context: unknown, next: CallHandler): Observable<unknown> {
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

function reasonOf(error: unknown): string {
  if (error instanceof AppError) return error.code;
  if (error instanceof DependencyUnavailableError) return error.code;
  return 'INTERNAL_ERROR';
}
