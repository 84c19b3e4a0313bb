import type { PipeTransform } from '@nestjs/common';
import { AppError, type ErrorCode } from './app-error';

/**
 * A route parameter that must match `pattern` (after lower-casing) before it may reach a path or an object key;
 * anything else is refused with `code` before any storage call.
 */
export function idParamPipe(pattern: RegExp, code: ErrorCode, message: string): PipeTransform<string, string> {
  return {
    transform(value: string): string {
      const id = typeof value === 'string' && value.length <= 64 ? value.toLowerCase() : '';
      if (!pattern.test(id)) throw new AppError(code, message);
      return id;
    },
  };
}
