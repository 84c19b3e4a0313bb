import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../common/app-error';

const VERSION = 1;
const MAX_CURSOR_LENGTH = 2048;

/**
 * Wraps a storage continuation token in an opaque, signed cursor so that anything the service did not issue
 * (garbage, truncated, edited) is refused instead of silently restarting from the first page.
 */
export class CursorCodec {
  constructor(private readonly secret: string) {}

  encode(continuationToken: string): string {
    const payload = Buffer.from(JSON.stringify({ v: VERSION, t: continuationToken })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  decode(cursor: string): string {
    const invalid = () =>
      new AppError('INVALID_CURSOR', 'The cursor is not one this service issued; start from the first page.');
    if (cursor.length > MAX_CURSOR_LENGTH) throw invalid();
    const [payload, signature, ...rest] = cursor.split('.');
    if (!payload || !signature || rest.length > 0) throw invalid();
    const expected = Buffer.from(this.sign(payload));
    const actual = Buffer.from(signature);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw invalid();
    const decoded: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const token = (decoded as { v?: unknown; t?: unknown }).t;
    if ((decoded as { v?: unknown }).v !== VERSION || typeof token !== 'string') throw invalid();
    return token;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(`cursor:${payload}`).digest('base64url');
  }
}
