import { describe, expect, it } from 'vitest';
import { sanitizeOriginalName } from './original-name';

describe(sanitizeOriginalName.name, () => {
  it.each([
    ['holiday.jpg', 'holiday.jpg'],
    ['../../etc/passwd.png', 'passwd.png'],
    ['C:\\Users\\me\\cat.png', 'cat.png'],
    ['a\u0000b\u0007c.png', 'abc.png'],
    ['tab\there.png', 'tab here.png'],
    ['invoice\u202Egnp.exe', 'invoicegnp.exe'],
    ['zero\u200Bwidth.png', 'zerowidth.png'],
    ['  spaced   out  .png ', 'spaced out .png'],
    ['.hidden.png', 'hidden.png'],
    ['e\u0301.png', '\u00e9.png'],
    ['', null],
    [undefined, null],
    ['/', null],
    ['\u202E', null],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeOriginalName(raw, 255)).toBe(expected);
  });

  it('cuts by code points, never splitting a character', () => {
    expect(sanitizeOriginalName('😀😀😀😀', 3)).toBe('😀😀😀');
  });
});
