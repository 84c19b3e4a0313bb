import { AppError } from '../common/app-error';

const MAX_KEY_LENGTH = 255;

/**
 * Reads an `Idempotency-Key` header. The IETF httpapi draft makes it a Structured Field string (`"…"`); a bare
 * token of visible ASCII, as many clients send, is accepted too. `undefined` when the header is absent.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header : [header];
  if (value.length !== 1) throw invalid('Send one Idempotency-Key header.');
  const raw = value[0].trim();
  const quoted = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(raw);
  const key = quoted
    ? quoted[1].replace(/\\(["\\])/g, '$1')
    : /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(raw)
      ? raw
      : undefined;
  if (key === undefined || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw invalid(`Idempotency-Key must be a quoted string of 1 to ${MAX_KEY_LENGTH} printable ASCII characters.`);
  }
  return key;
}

const invalid = (message: string) => new AppError('INVALID_IDEMPOTENCY_KEY', message);
