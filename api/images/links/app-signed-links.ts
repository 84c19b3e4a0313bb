import { createHmac, timingSafeEqual } from 'node:crypto';
import { ContentLinks, type LinkedRepresentation } from './content-links';
import { windowedExpiry } from './link-expiry';

/** First path segment of app-signed links; API Gateway serves it without the API key (infra: SIGNED_LINKS_PATH_PART). */
export const SIGNED_LINKS_PREFIX = '/signed';

export type LinkCheck = 'valid' | 'expired' | 'invalid';

/** What a signature names; a variant's format is negotiated per request, so it is not part of the address. */
type SignedAddress = { readonly kind: 'original' } | { readonly kind: 'variant'; readonly preset: string };

/** The path a representation has under `/images`, which is what a signature covers. */
export function representationPath(id: string, representation: SignedAddress): string {
  return representation.kind === 'original'
    ? `/images/${id}/content`
    : `/images/${id}/variants/${representation.preset}`;
}

/**
 * Links the app signs and serves itself (no CDN): HMAC-SHA256 over the representation's path and the expiry,
 * both in the URL, so a link is good for that image and that representation only, until it expires.
 */
export class AppSignedLinks extends ContentLinks {
  /** Links are paths on the API itself. */
  readonly origin = undefined;

  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    super();
  }

  linkTo(id: string, representation: LinkedRepresentation, basePath: string): string {
    const path = representationPath(id, representation);
    const expires = windowedExpiry(this.now(), this.ttlSeconds);
    return `${basePath}${SIGNED_LINKS_PREFIX}${path}?expires=${expires}&signature=${this.signature(path, expires)}`;
  }

  /** Checks the signature first, in constant time, so an expired link tells nothing about a forged one. */
  check(path: string, expires: string | undefined, signature: string | undefined): LinkCheck {
    if (expires === undefined || signature === undefined || !/^\d{1,12}$/.test(expires)) return 'invalid';
    const expected = Buffer.from(this.signature(path, Number(expires)));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    return Number(expires) * 1000 <= this.now() ? 'expired' : 'valid';
  }

  /** Nothing caches these links but browsers, which keep them until they expire; there is nothing to purge. */
  async forget(): Promise<void> {}

  private signature(path: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${path}\n${expires}`).digest('base64url');
  }
}
