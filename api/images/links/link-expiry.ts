/**
 * The expiry (Unix seconds) of a link issued at `nowMs`: at least `ttlSeconds` away, rounded up to a window of a
 * quarter of the TTL. Every link issued within one window is byte-identical, so a page of metadata fetched again
 * yields the same URLs and browsers and the CDN reuse what they cached.
 */
export function windowedExpiry(nowMs: number, ttlSeconds: number): number {
  const window = Math.max(1, Math.floor(ttlSeconds / 4));
  return Math.ceil((Math.floor(nowMs / 1000) + ttlSeconds) / window) * window;
}
