import type { HttpException } from '@nestjs/common';

/**
 * Whether a 404 is Nest's own "no route matched" (as opposed to a 404 a handler raised). Nest says so only in
 * its message, `Cannot GET /path`; platform.spec.ts fails if a Nest upgrade changes it.
 */
export function isRouteMiss(exception: HttpException): boolean {
  return /^Cannot [A-Z]+ /.test(exception.message);
}
