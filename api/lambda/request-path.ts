// Characters allowed raw in a URL path (RFC 3986 pchar and "/"); anything else is percent-encoded.
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;
const HEX2 = /^[0-9A-Fa-f]{2}$/;

/**
 * Makes an API Gateway path safe to hand to Express as a request URL. REST events keep the client's encoding
 * (`%2F` stays `%2F`, so `/images/a%2Fb` is one segment); HTTP API `rawPath` arrives decoded. Either way,
 * existing `%XX` escapes are kept and every other unsafe character (space, `%` on its own, `?`, `#`, non-ASCII)
 * is encoded, so the router sees exactly one path and never fails to decode it.
 */
export function toRequestPath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length;) {
    const codePoint = path.codePointAt(i) ?? 0;
    const char = String.fromCodePoint(codePoint);
    if (char === '%' && HEX2.test(path.slice(i + 1, i + 3))) {
      out += path.slice(i, i + 3);
      i += 3;
      continue;
    }
    const isLoneSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    out += PATH_SAFE.test(char) ? char : encodeURIComponent(isLoneSurrogate ? '\uFFFD' : char);
    i += char.length;
  }
  return out.startsWith('/') ? out : `/${out}`;
}

/** `path` without `prefix` when it starts with that whole segment (`/dev` strips `/dev/x`, not `/devices`). */
export function stripPrefix(path: string, prefix: string): string | undefined {
  if (!prefix || prefix === '/') return undefined;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}
