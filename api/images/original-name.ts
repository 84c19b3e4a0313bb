// Control characters, bidi overrides/isolates and other invisible format characters (\p{Cf}) can spoof how a
// name reads (e.g. "photo\u202Egnp.exe"); they are dropped rather than escaped because they carry no meaning.
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * Reduces a client-supplied file name to display-only metadata: the last path segment, normalized, without
 * control or bidi characters, collapsed whitespace, cut to `maxLength` code points. Returns null when nothing
 * meaningful is left. The result is stored with the record and shown in its JSON, never used in a path, a key or a
 * response header (Content-Disposition names the file by its id); S3 keeps it base64url-encoded in object metadata.
 */
export function sanitizeOriginalName(raw: string | undefined, maxLength: number): string | null {
  if (!raw) return null;
  const lastSegment = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .replace(INVISIBLE_OR_CONTROL, '')
    .trim()
    .replace(/^\.+/, '');
  if (cleaned === '') return null;
  const codePoints = [...cleaned];
  return codePoints.length > maxLength ? codePoints.slice(0, maxLength).join('') : cleaned;
}
