import { describe, expect, it } from 'vitest';
import { AppError } from '../common/app-error';
import { CursorCodec } from './cursor.codec';

describe(CursorCodec.name, () => {
  const codec = new CursorCodec('a-secret-that-is-long-enough-for-hmac-use');

  it('round-trips a continuation token', () => {
    const token = 'images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';
    expect(codec.decode(codec.encode(token))).toBe(token);
  });

  it('is URL-safe', () => {
    expect(codec.encode('x'.repeat(200))).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses a cursor signed with another key', () => {
    const other = new CursorCodec('another-secret-that-is-long-enough-too');
    expect(() => codec.decode(other.encode('t'))).toThrow(AppError);
  });

  it('refuses every single-character change', () => {
    const cursor = codec.encode('token-123');
    for (let i = 0; i < cursor.length; i++) {
      const changed = cursor.slice(0, i) + (cursor[i] === 'A' ? 'B' : 'A') + cursor.slice(i + 1);
      expect(() => codec.decode(changed), `position ${i}`).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
    }
  });

  it.each(['', '.', 'abc', 'a.b.c', '%%%.%%%', 'x'.repeat(5000)])('refuses %j', (cursor) => {
    expect(() => codec.decode(cursor)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR' }));
  });
});
